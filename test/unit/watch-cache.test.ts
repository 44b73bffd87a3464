import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WatchCache, type CachedEvent } from '../../src/apiserver/watch-cache.js';
import { createStore } from '../../src/storage/registry.js';
import type { KeyValue, Store } from '../../src/storage/store.js';

let dir: string;
let store: Store;
let cache: WatchCache;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-wc-'));
  store = await createStore('sqlite', { dataDir: dir });
  cache = new WatchCache(store);
  await cache.start();
});
afterEach(async () => {
  await cache.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const pod = (name: string, node?: string): string => JSON.stringify({ metadata: { name }, spec: node ? { nodeName: node } : {} });
const nodeOf = (kv: KeyValue): string => (JSON.parse(kv.value).spec?.nodeName as string | undefined) ?? '';
const key = (n: string): string => `/registry/core/pods/default/${n}`;

describe('WatchCache', () => {
  it('hands an indexed subscriber only the events whose object has its value before or after', async () => {
    const seen: Record<string, string[]> = { a: [], b: [], all: [] };
    const record = (who: string) => (evs: CachedEvent[]) => { for (const e of evs) seen[who].push(`${e.type} ${e.key.split('/').pop()}`); };
    const from = cache.revision;
    cache.subscribe('/registry/core/pods/', from, record('a'), { name: 'pods/spec.nodeName', value: 'a', extract: nodeOf });
    cache.subscribe('/registry/core/pods/', from, record('b'), { name: 'pods/spec.nodeName', value: 'b', extract: nodeOf });
    cache.subscribe('/registry/core/pods/', from, record('all'));
    const p1 = await store.create(key('p1'), pod('p1'));
    const p1a = await store.update(key('p1'), pod('p1', 'a'), p1.modRevision);
    await store.create(key('p2'), pod('p2', 'b'));
    await store.delete(key('p1'), p1a.modRevision);
    await cache.sync();
    expect(seen.all).toEqual(['ADDED p1', 'MODIFIED p1', 'ADDED p2', 'DELETED p1']);
    expect(seen.a).toEqual(['MODIFIED p1', 'DELETED p1']);
    expect(seen.b).toEqual(['ADDED p2']);
  });

  it('replays history to a late subscriber and refuses revisions older than its window', async () => {
    const first = await store.create(key('x'), pod('x'));
    await store.update(key('x'), pod('x', 'a'), first.modRevision);
    await cache.sync();
    const got: string[] = [];
    cache.subscribe('/registry/core/pods/', first.modRevision, (evs) => got.push(...evs.map((e) => e.type)));
    expect(got).toEqual(['MODIFIED']);
    // A cache that starts now has no events before the current revision to replay.
    const late = new WatchCache(store);
    await late.start();
    try {
      expect(() => late.subscribe('/registry/core/pods/', first.modRevision, () => {})).toThrow(/too old resource version/);
    } finally {
      await late.close();
    }
  });
});
