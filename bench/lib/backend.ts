/**
 * bench/lib/backend: one storage backend for one benchmark: for etcd a fresh single-member etcd
 * (test/helpers/etcd.ts), for SQLite nothing to start. Opens raw Stores of the same type for the
 * reference figures: SQLite in its own temporary file with the server's default settings, etcd
 * on the same etcd the server uses (under a /bench/ prefix the server never reads).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type TestEtcd } from '../../test/helpers/etcd.js';
import { createStore } from '../../src/storage/registry.js';
import type { Store } from '../../src/storage/store.js';
import type { BackendOptions } from './server-process.js';

export type BackendName = 'sqlite' | 'etcd';

export interface Backend {
  name: BackendName;
  /** Options for startServerProcess(). */
  server: BackendOptions;
  /** Opens a raw Store of this backend type (SQLite: a new file each call; etcd: the same etcd). */
  openRaw(): Promise<Store>;
  /** Where a raw store's data lives, for a SQLite store opened on an existing data dir. */
  openRawAt(dataDir: string): Promise<Store>;
  close(): Promise<void>;
}

export async function openBackend(name: BackendName): Promise<Backend> {
  const tmp: string[] = [];
  const stores: Store[] = [];
  let etcd: TestEtcd | undefined;
  if (name === 'etcd') etcd = await startEtcd();
  const open = async (dataDir: string): Promise<Store> => {
    const s = await createStore(name, { dataDir, etcdEndpoints: etcd?.endpoints });
    stores.push(s);
    return s;
  };
  return {
    name,
    server: { store: name, etcdEndpoints: etcd?.endpoints },
    async openRaw() {
      const dir = await mkdtemp(join(tmpdir(), 'k8ts-bench-raw-'));
      tmp.push(dir);
      return open(dir);
    },
    openRawAt: open,
    async close() {
      for (const s of stores) await s.close().catch(() => {});
      await etcd?.stop();
      for (const d of tmp) await rm(d, { recursive: true, force: true });
    },
  };
}
