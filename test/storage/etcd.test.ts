import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEtcdStore } from '../../src/storage/etcd/etcd-store.js';
import { createStore } from '../../src/storage/registry.js';
import { CompactedError, UnavailableError } from '../../src/storage/store.js';
import { startEtcd } from '../helpers/etcd.js';
import type { TestEtcd } from '../helpers/etcd.js';
import { WatchRecorder, describeStoreContract, uniquePrefix } from './store-contract.js';

// Fails (does not skip) when /usr/bin/etcd is missing: CI installs etcd-server.
let etcd: TestEtcd;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

describeStoreContract('etcd', () => openEtcdStore({ endpoints: etcd.endpoints }));

describe('etcd store', () => {
  it('is registered as the "etcd" backend', async () => {
    const store = await createStore('etcd', { dataDir: '/nonexistent', etcdEndpoints: etcd.endpoints });
    try {
      const p = uniquePrefix();
      const kv = await store.create(`${p}a`, 'x');
      expect(await store.get(`${p}a`)).toEqual(kv);
    } finally {
      await store.close();
    }
    await expect(createStore('etcd', { dataDir: '/nonexistent' })).rejects.toThrow(/open etcd store/);
  });

  it('finds the compacted revision another client compacted to', async () => {
    const a = await openEtcdStore({ endpoints: etcd.endpoints });
    const b = await openEtcdStore({ endpoints: etcd.endpoints });
    try {
      const p = uniquePrefix();
      let kv = await a.create(`${p}a`, '0');
      for (let i = 1; i < 10; i++) kv = await a.update(`${p}a`, String(i), kv.modRevision);
      const at = kv.modRevision - 3;
      await a.compact(at);
      expect(await b.compactedRevision()).toBe(at);
      const err = await b.list({ prefix: p, revision: at - 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompactedError);
      expect((err as CompactedError).compacted).toBe(at);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('test helper: fails with the install hint when etcd is missing', async () => {
    await expect(startEtcd({ binary: '/nonexistent/etcd' })).rejects.toThrow(/apt-get install etcd-server/);
  });

  it('ends watches and fails calls with UnavailableError when etcd goes away', async () => {
    const other = await startEtcd();
    const opts = { endpoints: other.endpoints, dialTimeoutMs: 500, requestTimeoutMs: 1_000 };
    const store = await openEtcdStore(opts);
    try {
      const rec = new WatchRecorder();
      await store.watch('/', await store.currentRevision(), rec);
      await other.stop();
      expect(await rec.waitForError()).toBeInstanceOf(UnavailableError);
      await expect(store.get('/x')).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await store.close();
      await other.stop();
    }
    await expect(openEtcdStore(opts)).rejects.toBeInstanceOf(UnavailableError);
  });
});
