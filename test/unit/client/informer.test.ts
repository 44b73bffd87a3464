import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../../src/api/resources.js';
import {
  ApiError, InformerFactory, KubeClient, Lister, OWNER_UID_INDEX, ownerUidIndexFunc, SharedInformer, type KObject,
} from '../../../src/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/k8ts-server.js';

const configmaps = findResource('', 'v1', 'configmaps')!;

async function until<T>(fn: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A loopback TCP relay to the API server that can hold back what the server sends, then cut every connection. */
class Relay {
  private server!: Server;
  private conns = new Set<Socket>();
  private held = false;
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      this.conns.add(client).add(upstream);
      const backlog: Buffer[] = [];
      upstream.on('data', (d: Buffer) => (this.held ? backlog.push(d) : client.write(d)));
      client.on('data', (d: Buffer) => upstream.write(d));
      const close = (): void => { client.destroy(); upstream.destroy(); this.conns.delete(client); this.conns.delete(upstream); };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }
  hold(): void { this.held = true; }
  /** Drops every connection (and whatever was held back). */
  cut(): void {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    this.held = false;
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('KubeClient and SharedInformer against a real server', () => {
  let t: TestServer;
  let client: KubeClient;

  beforeAll(async () => {
    // A small watch window and no periodic bookmarks, so an idle watcher's resourceVersion can expire.
    t = await startTestServer({ watchCacheSize: 5, bookmarkIntervalMs: 3_600_000, disable: ['namespace', 'garbagecollector', 'root-ca-cert-publisher'] });
    client = await KubeClient.fromKubeconfig(t.kubeconfig);
  });
  afterAll(async () => {
    client?.close();
    await t?.stop();
  });

  it('turns error Status bodies into ApiError', async () => {
    const err = await client.get(configmaps, 'default', 'nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "nope" not found' });
    const conflict = await client.create(configmaps, 'default', { metadata: { name: 'dup' } })
      .then(() => client.create(configmaps, 'default', { metadata: { name: 'dup' } })).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    await client.delete(configmaps, 'default', 'dup');
  });

  it('creates, patches, lists in pages and watches', async () => {
    await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'paging' } });
    for (let i = 0; i < 5; i++) await client.create(configmaps, 'paging', { metadata: { name: `cm-${i}`, labels: { i: String(i) } } });
    const page = await client.list(configmaps, 'paging', { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.metadata.continue).toBeTruthy();
    const all = await client.listAll(configmaps, 'paging', { limit: 2 });
    expect(all.items.map((o) => o.metadata.name)).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
    const meta = await client.list(configmaps, 'paging', { metadataOnly: true, labelSelector: 'i in (1,2)' });
    expect(meta.kind).toBe('PartialObjectMetadataList');
    expect(meta.items).toHaveLength(2);

    const w = await client.watch(configmaps, 'paging', { resourceVersion: all.metadata.resourceVersion });
    await client.patch(configmaps, 'paging', 'cm-0', 'merge', { data: { a: 'b' } });
    const events: string[] = [];
    for await (const ev of w) {
      events.push(`${ev.type} ${ev.object.metadata.name} ${ev.object.data?.a}`);
      w.abort();
    }
    expect(events).toEqual(['MODIFIED cm-0 b']);
  });

  it('lists, then delivers adds, updates and deletes from the watch, with indexes and a lister', async () => {
    await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'inf' } });
    const owner = await client.create(configmaps, 'inf', { metadata: { name: 'owner' } });
    await client.create(configmaps, 'inf', { metadata: { name: 'before', labels: { app: 'x' } } });
    const factory = new InformerFactory(client);
    const inf = factory.informerFor(configmaps, { namespace: 'inf' });
    inf.addIndexers({ [OWNER_UID_INDEX]: ownerUidIndexFunc });
    expect(factory.informerFor(configmaps, { namespace: 'inf' })).toBe(inf); // shared
    const seen: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (a, b) => seen.push(`update ${b.metadata.name} ${a.metadata.resourceVersion !== b.metadata.resourceVersion}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    factory.start();
    await factory.waitForSync();
    expect(inf.hasSynced()).toBe(true);
    expect(seen.sort()).toEqual(['add before', 'add owner']);
    seen.length = 0;

    await client.create(configmaps, 'inf', {
      metadata: { name: 'child', labels: { app: 'x' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }] },
    });
    await client.patch(configmaps, 'inf', 'before', 'merge', { data: { k: 'v' } });
    await client.delete(configmaps, 'inf', 'owner');
    await until(() => seen.length >= 3, 'three events');
    expect(seen).toEqual(['add child', 'update before true', 'delete owner']);

    const lister = new Lister(inf.store);
    expect(lister.get('inf', 'before')?.data).toEqual({ k: 'v' });
    expect(lister.list('inf', 'app=x').map((o) => o.metadata.name).sort()).toEqual(['before', 'child']);
    expect(lister.list('elsewhere')).toEqual([]);
    expect(lister.byIndex(OWNER_UID_INDEX, owner.metadata.uid).map((o) => o.metadata.name)).toEqual(['child']);
    // Cached objects are shared and frozen outside production.
    expect(() => { (lister.get('inf', 'before') as KObject).data.k = 'changed'; }).toThrow(TypeError);
    await factory.stop();
  });

  it('re-lists after a 410 and delivers what it missed as add, update and delete', async () => {
    await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'quiet' } });
    await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'busy' } });
    await client.create(configmaps, 'quiet', { metadata: { name: 'stays' } });
    await client.create(configmaps, 'quiet', { metadata: { name: 'changes' } });
    await client.create(configmaps, 'quiet', { metadata: { name: 'goes' } });

    const relay = new Relay({ host: '127.0.0.1', port: t.server.port });
    await relay.start();
    // Same credentials, but through the relay.
    const relayed = new KubeClient({ ...(await credentials(t.kubeconfig)), server: `https://127.0.0.1:${relay.port}` });
    const inf = new SharedInformer(relayed, configmaps, { namespace: 'quiet', backoff: { initialMs: 10 }, log: (m) => logged.push(m) });
    const logged: string[] = [];
    const seen: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_a, b) => seen.push(`update ${b.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    inf.start();
    await inf.waitForSync();
    expect(inf.listCount).toBe(1);
    seen.length = 0;

    relay.hold(); // the informer's watch hears nothing from now on
    await client.create(configmaps, 'quiet', { metadata: { name: 'new' } });
    await client.patch(configmaps, 'quiet', 'changes', 'merge', { data: { x: 'y' } });
    await client.delete(configmaps, 'quiet', 'goes');
    // Push the informer's resourceVersion out of the server's 5-event window.
    for (let i = 0; i < 8; i++) await client.create(configmaps, 'busy', { metadata: { name: `noise-${i}` } });
    relay.cut(); // the watch breaks; re-watching from the old resourceVersion gets 410 Expired

    await until(() => seen.length >= 3, 'the re-list to deliver what was missed');
    expect(inf.listCount).toBe(2);
    expect(logged.filter((m) => m.includes('re-listing'))).toEqual([]); // the re-list came from the 410, not a failure
    expect(seen.sort()).toEqual(['add new', 'delete goes', 'update changes']);
    expect(inf.store.keys().sort()).toEqual(['quiet/changes', 'quiet/new', 'quiet/stays']);

    // And it keeps watching afterwards.
    await client.create(configmaps, 'quiet', { metadata: { name: 'after' } });
    await until(() => inf.store.get('quiet/after'), 'the watch to resume');
    await inf.stop();
    relayed.close();
    await relay.close();
  });

  it('resync re-delivers cached objects as updates', async () => {
    await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'resync' } });
    await client.create(configmaps, 'resync', { metadata: { name: 'one' } });
    const inf = new SharedInformer(client, configmaps, { namespace: 'resync', resyncMs: 20 });
    const updates: boolean[] = [];
    inf.addEventHandler({ onUpdate: (a, b) => updates.push(a === b) });
    inf.start();
    await until(() => updates.length >= 2, 'two resyncs');
    expect(updates.slice(0, 2)).toEqual([true, true]);
    await inf.stop();
  });

  it('metadata-only informers hold PartialObjectMetadata', async () => {
    const inf = new SharedInformer(client, configmaps, { namespace: 'resync', metadataOnly: true });
    inf.start();
    await inf.waitForSync();
    const one = inf.store.get('resync/one')!;
    expect(one.kind).toBe('PartialObjectMetadata');
    expect(one.metadata.name).toBe('one');
    await inf.stop();
  });
});

async function credentials(kubeconfig: string): Promise<{ ca: string; cert?: string; key?: string }> {
  const { parse } = await import('yaml');
  const { readFile } = await import('node:fs/promises');
  const doc = parse(await readFile(kubeconfig, 'utf8'));
  const dec = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  return {
    ca: dec(doc.clusters[0].cluster['certificate-authority-data']),
    cert: dec(doc.users[0].user['client-certificate-data']),
    key: dec(doc.users[0].user['client-key-data']),
  };
}
