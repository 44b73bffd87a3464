/**
 * Watches over raw HTTPS: where a watch starts (resourceVersion "", "0", an exact one), selectors
 * turning relabels into ADDED/DELETED, bookmarks, timeoutSeconds, and one write fanned out to a
 * hundred watchers from the watch cache without reading the store per watcher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { rawClient, type RawClient, type RawResponse, type WatchStream } from '../helpers/raw-https.js';

let t: TestServer;
let c: RawClient;
const NS = 'watch-test';
const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const JSON_CT = { 'Content-Type': 'application/json' };
const open: WatchStream[] = [];

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data,
});

async function create(name: string, labels: Record<string, string> = {}, ns = NS): Promise<any> {
  const r = await c.post(`/api/v1/namespaces/${ns}/configmaps`, cm(name, labels));
  expect(r.status, r.text).toBe(201);
  return r.body;
}

/** Merge-patches an object and returns it. */
async function patch(name: string, body: Record<string, unknown>): Promise<any> {
  const r = await c.request(`${CMS}/${name}`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
  expect(r.status, r.text).toBe(200);
  return r.body;
}

async function remove(name: string): Promise<RawResponse> {
  const r = await c.request(`${CMS}/${name}`, { method: 'DELETE' });
  expect(r.status, r.text).toBe(200);
  return r;
}

async function watch(query: string, path = CMS): Promise<WatchStream> {
  const w = await c.watch(`${path}?watch=true&${query}`);
  expect(w.status).toBe(200);
  open.push(w);
  return w;
}

/** type + name (+ a label or data value) of each event, for compact comparisons. */
const summary = (events: any[]): string[] => events.map((e) => `${e.type} ${e.object.metadata.name}`);

beforeAll(async () => {
  t = await startTestServer({ bookmarkIntervalMs: 50, apiOnly: true });
  c = rawClient(t.url, t.dataDir);
  const r = await c.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  for (const w of open) w.close();
  c?.close();
  await t?.stop();
});

describe('where a watch starts', () => {
  it('resourceVersion "" (unset): ADDED for every existing object, then live events', async () => {
    await create('unset-a');
    await create('unset-b');
    const w = await watch('labelSelector=');
    const initial = await w.waitFor(2);
    expect(summary(initial).filter((s) => s.includes('unset-'))).toEqual(['ADDED unset-a', 'ADDED unset-b']);
    const n = w.events.length;
    await patch('unset-a', { data: { k: 'v' } });
    await create('unset-c');
    await remove('unset-b');
    const events = (await w.waitFor(n + 3)).slice(n);
    expect(summary(events)).toEqual(['MODIFIED unset-a', 'ADDED unset-c', 'DELETED unset-b']);
    expect(events[0].object.data).toEqual({ k: 'v' });
    // Every event carries the object's resourceVersion, increasing.
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(events[0].object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
  });

  it('resourceVersion "0": ADDED for the current state, then live events', async () => {
    await create('zero-a', { set: 'zero' });
    const w = await watch('resourceVersion=0&labelSelector=set%3Dzero');
    expect(summary(await w.waitFor(1))).toEqual(['ADDED zero-a']);
    await create('zero-b', { set: 'zero' });
    expect(summary(await w.waitFor(2))).toEqual(['ADDED zero-a', 'ADDED zero-b']);
  });

  it('an exact resourceVersion replays only the events after it', async () => {
    const a = await create('exact-a', { set: 'exact' });
    const b = await create('exact-b', { set: 'exact' });
    await create('exact-c', { set: 'exact' });
    await patch('exact-a', { data: { k: '1' } });
    await remove('exact-b');
    const w = await watch(`resourceVersion=${b.metadata.resourceVersion}&labelSelector=set%3Dexact`);
    const events = await w.waitFor(3);
    expect(summary(events)).toEqual(['ADDED exact-c', 'MODIFIED exact-a', 'DELETED exact-b']);
    expect(events.every((e) => Number(e.object.metadata.resourceVersion) > Number(b.metadata.resourceVersion))).toBe(true);
    // From the list's resourceVersion: nothing until the next write.
    const list = await c.get(`${CMS}?labelSelector=set%3Dexact`);
    const w2 = await watch(`resourceVersion=${list.body.metadata.resourceVersion}&labelSelector=set%3Dexact`);
    await patch('exact-c', { data: { k: '2' } });
    expect(summary(await w2.waitFor(1))).toEqual(['MODIFIED exact-c']);
    expect(a.metadata.resourceVersion).not.toBe(b.metadata.resourceVersion);
  });

  it('a watch on one object (metadata.name field selector) sees only it', async () => {
    await create('named-a');
    await create('named-b');
    const w = await watch('fieldSelector=metadata.name%3Dnamed-b');
    expect(summary(await w.waitFor(1))).toEqual(['ADDED named-b']);
    await patch('named-a', { data: { x: '1' } });
    await patch('named-b', { data: { x: '2' } });
    expect(summary(await w.waitFor(2))).toEqual(['ADDED named-b', 'MODIFIED named-b']);
  });

  it('a namespaced watch does not see other namespaces; an all-namespaces watch does', async () => {
    const list = await c.get('/api/v1/configmaps');
    const rv = list.body.metadata.resourceVersion;
    const mine = await watch(`resourceVersion=${rv}`);
    const all = await watch(`resourceVersion=${rv}`, '/api/v1/configmaps');
    await create('elsewhere', {}, 'default');
    await create('here');
    expect(summary(await all.waitFor(2))).toEqual(['ADDED elsewhere', 'ADDED here']);
    expect(summary(await mine.waitFor(1))).toEqual(['ADDED here']);
    expect(mine.events).toHaveLength(1);
  });
});

describe('selectors', () => {
  it('relabel out of a label selector is DELETED, relabel back in is ADDED', async () => {
    await create('relabel', { tier: 'web' });
    const w = await watch('labelSelector=tier%3Dweb');
    expect(summary(await w.waitFor(1))).toEqual(['ADDED relabel']);
    await patch('relabel', { data: { k: 'still-web' } });
    await patch('relabel', { metadata: { labels: { tier: 'db' } } });
    await patch('relabel', { data: { k: 'in-db' } }); // not seen: never matched before or after
    await patch('relabel', { metadata: { labels: { tier: 'web' } } });
    await remove('relabel');
    const events = await w.waitFor(5);
    expect(summary(events)).toEqual(['ADDED relabel', 'MODIFIED relabel', 'DELETED relabel', 'ADDED relabel', 'DELETED relabel']);
    // The DELETED for the relabel carries the object as it now is (no longer matching).
    expect(events[2].object.metadata.labels).toEqual({ tier: 'db' });
    expect(events[3].object.metadata.labels).toEqual({ tier: 'web' });
    expect(events[3].object.data).toEqual({ k: 'in-db' });
  });

  it('set-based selectors are applied to every event', async () => {
    const w = await watch('labelSelector=' + encodeURIComponent('tier in (a,b),!skip'));
    await create('set-a', { tier: 'a' });
    await create('set-c', { tier: 'c' });
    await create('set-b-skip', { tier: 'b', skip: 'yes' });
    await create('set-b', { tier: 'b' });
    expect(summary(await w.waitFor(2))).toEqual(['ADDED set-a', 'ADDED set-b']);
  });
});

describe('bookmarks and timeouts', () => {
  it('allowWatchBookmarks=true yields BOOKMARK events with the current resourceVersion', async () => {
    const w = await watch('allowWatchBookmarks=true&labelSelector=never%3Dmatches');
    const written = await create('bookmark-trigger');
    const [bookmark] = await w.waitFor(1);
    expect(bookmark.type).toBe('BOOKMARK');
    expect(bookmark.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(written.metadata.resourceVersion));
    // A watch resumed from the bookmark gets only what came after it.
    const w2 = await watch(`resourceVersion=${bookmark.object.metadata.resourceVersion}&fieldSelector=metadata.name%3Dbookmark-trigger`);
    await patch('bookmark-trigger', { data: { k: 'after' } });
    expect(summary(await w2.waitFor(1))).toEqual(['MODIFIED bookmark-trigger']);
  });

  it('without allowWatchBookmarks no BOOKMARK is sent', async () => {
    const w = await watch('labelSelector=never%3Dmatches');
    const marked = await watch('allowWatchBookmarks=true&labelSelector=never%3Dmatches');
    await create('no-bookmark');
    await marked.waitFor(1);
    // Two more bookmark intervals' worth of progress, seen by the marked watch.
    await create('no-bookmark-2');
    await marked.waitFor(2);
    expect(w.events).toEqual([]);
  });

  it('timeoutSeconds=1 ends the stream cleanly', async () => {
    const w = await watch('timeoutSeconds=1');
    await w.ended;
    expect(w.endedCleanly()).toBe(true);
  });
});

describe('fan-out', () => {
  it('100 concurrent watchers all receive one write, and the store is not read per watcher', async () => {
    const list = await c.get(CMS);
    const rv = list.body.metadata.resourceVersion;
    const store = t.server.store as Store & Record<string, unknown>;
    const reads = { get: 0, list: 0, watch: 0, count: 0 };
    const originals = new Map<string, unknown>();
    for (const m of Object.keys(reads) as (keyof typeof reads)[]) {
      const orig = (store as any)[m];
      originals.set(m, orig);
      (store as any)[m] = (...args: unknown[]) => {
        reads[m]++;
        return orig.apply(store, args);
      };
    }
    try {
      const watchers = await Promise.all(Array.from({ length: 100 }, () => watch(`resourceVersion=${rv}&fieldSelector=metadata.name%3Dfan-out`)));
      expect(reads).toEqual({ get: 0, list: 0, watch: 0, count: 0 });
      await create('fan-out', { fan: 'out' });
      const received = await Promise.all(watchers.map((w) => w.waitFor(1)));
      for (const events of received) {
        expect(summary(events)).toEqual(['ADDED fan-out']);
        expect(events[0].object.metadata.labels).toEqual({ fan: 'out' });
      }
      // The create itself reads a little (the namespace); delivery to 100 watchers reads nothing.
      expect(reads.list).toBe(0);
      expect(reads.watch).toBe(0);
      expect(reads.get).toBeLessThan(5);
    } finally {
      for (const [m, orig] of originals) (store as any)[m] = orig;
    }
  });
});
