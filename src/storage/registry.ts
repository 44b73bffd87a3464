/**
 * storage/registry: named Store backends. A backend is a factory from StoreFactoryOptions to an
 * open Store; add one with registerStore(name, factory). Built in:
 * - "sqlite": the embedded default, one file at <dataDir>/state.db (sqlite/sqlite-store.ts).
 * - "etcd": a real etcd v3 cluster at opts.etcdEndpoints (etcd/etcd-store.ts).
 * Backends are loaded on first use, so a server on SQLite never loads the etcd client.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store, StoreFactory, StoreFactoryOptions } from './store.js';

const factories = new Map<string, StoreFactory>();

/** Adds (or replaces) the backend called name. */
export function registerStore(name: string, factory: StoreFactory): void {
  factories.set(name, factory);
}

/** Names of the registered backends. */
export function storeNames(): string[] {
  return [...factories.keys()].sort();
}

/** Opens the backend called name. Failures name the backend and where it was opened. */
export async function createStore(name: string, opts: StoreFactoryOptions): Promise<Store> {
  const factory = factories.get(name);
  if (!factory) throw new Error(`unknown storage backend "${name}" (known: ${storeNames().join(', ')})`);
  return factory(opts);
}

registerStore('sqlite', async (opts) => {
  const path = join(opts.dataDir, 'state.db');
  try {
    await mkdir(opts.dataDir, { recursive: true });
    const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
    return await openSqliteStore({ path });
  } catch (cause) {
    throw new Error(`open sqlite store at ${path}`, { cause });
  }
});

registerStore('etcd', async (opts) => {
  const endpoints = opts.etcdEndpoints ?? [];
  try {
    if (endpoints.length === 0) throw new Error('no etcd endpoints given (etcdEndpoints)');
    const { openEtcdStore } = await import('./etcd/etcd-store.js');
    return await openEtcdStore({ endpoints });
  } catch (cause) {
    throw new Error(`open etcd store at ${endpoints.join(',') || '(no endpoints)'}`, { cause });
  }
});
