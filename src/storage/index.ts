/**
 * storage/: the Store contract (store.ts) and its backends: every write gets the next revision
 * of one global counter, history is kept until compacted, and watches deliver every change
 * after any retained revision, in order.
 * - sqlite/: embedded kine-style backend (one row per write in one SQLite file), the default.
 * - etcd/: a real etcd v3 cluster, for HA and several API servers.
 * - registry.ts: backends by name (createStore('sqlite' | 'etcd', opts)).
 *
 * May import: node built-ins, better-sqlite3, etcd3. Nothing else from the project.
 * Imported by: only src/apiserver/ and the wiring in src/server/.
 */

export * from './store.js';
export { createStore, registerStore, storeNames } from './registry.js';
export { SqliteStore, openSqliteStore } from './sqlite/sqlite-store.js';
export type { SqliteStoreOptions, SqliteAutoCompactOptions } from './sqlite/sqlite-store.js';
export type { EtcdStore, EtcdStoreOptions } from './etcd/etcd-store.js';
