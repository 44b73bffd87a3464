/**
 * storage/sqlite/sqlite-store: the embedded Store, kine-style, on better-sqlite3.
 *
 * - One table, one row per write; the row id is the revision (see schema.ts).
 * - Each write is one synchronous transaction on one connection, with prepared statements.
 *   JavaScript runs one write at a time, so the compare (expected revision) and the insert are
 *   atomic; the unique (name, prev_revision) index backs that up at the database level.
 * - Durability: WAL journal. With the default durability 'process' (synchronous=NORMAL) a
 *   write is in the WAL file, i.e. in the OS, when its promise resolves: it survives the process
 *   being killed (kill -9, crash, OOM) but not an OS crash or power loss, which may lose the
 *   last commits (never corrupt the file). durability 'power' (synchronous=FULL) fsyncs the WAL
 *   on every commit and survives power loss, at a much lower write rate.
 * - One process per database: the file is opened in exclusive locking mode, so a second
 *   process opening it fails with "database is locked" instead of writing behind our watchers.
 * - Watches: every commit is published to an in-process WatchHub in revision order; a watch
 *   from an older revision replays the table first (watch-hub.ts).
 * - Compaction: compact(rev) deletes rows superseded at or before rev, and delete rows at or
 *   before rev, and records rev as `compact_rev` in the meta table. By default a background
 *   timer compacts every 5 minutes, keeping the last 10,000 revisions (autoCompact option).
 *   The file does not shrink; freed pages are reused.
 */

import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  NotFoundError,
  StoreError,
  UnavailableError,
} from '../store.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchHandlers, Watcher } from '../store.js';
import { prefixEndString } from '../key-range.js';
import { SCHEMA_SQL, SQL, countSql, historySql, listSql } from './schema.js';
import type { EventRow, KvRow } from './schema.js';
import { WatchHub } from './watch-hub.js';

export interface SqliteAutoCompactOptions {
  /** How often to compact, in ms. Default 300,000 (5 minutes); 0 turns background compaction off. */
  intervalMs?: number;
  /** Revisions of history to keep behind the current one. Default 10,000. */
  retainRevisions?: number;
}

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' for a throwaway store. */
  path: string;
  /**
   * 'process' (default): WAL + synchronous=NORMAL; acknowledged writes survive a killed process.
   * 'power': WAL + synchronous=FULL; they also survive an OS crash or power loss.
   */
  durability?: 'process' | 'power';
  /** Background compaction; see SqliteAutoCompactOptions for defaults. */
  autoCompact?: SqliteAutoCompactOptions;
  /** Events a watcher may have queued before it is ended with WatchOverflowError. Default 10,000. */
  maxWatchBuffer?: number;
  /** Revisions a catching-up watcher reads per event-loop turn. Default 1,000. */
  catchUpPageRevisions?: number;
  /** How long to wait for another process to let go of the file when opening. Default 5,000 ms. */
  lockTimeoutMs?: number;
}

const COMPACT_REV = 'compact_rev';
/** Revisions compacted per transaction by the background compactor, so one turn stays short. */
const AUTO_COMPACT_STEP = 5_000;

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  return new SqliteStore(opts);
}

export class SqliteStore implements Store {
  private db: Db | undefined;
  private rev: number;
  private compactRev: number;
  private readonly hub: WatchHub;
  private readonly stmts: {
    latest: Statement<[string], KvRow>;
    insert: Statement<[string, number, number, number, number, string]>;
    setMeta: Statement<[string, number]>;
    compact: Statement<{ from: number; to: number }>;
  };
  private readonly cached = new Map<string, Statement>();
  private readonly writeTxn: (key: string, fn: (latest: KvRow | undefined) => Omit<KvRow, 'id' | 'name'>) => {
    row: KvRow;
    prev: KvRow | undefined;
  };
  private compactTimer: NodeJS.Timeout | undefined;
  private compacting = false;

  constructor(readonly opts: SqliteStoreOptions) {
    const db = new Database(opts.path, { timeout: opts.lockTimeoutMs ?? 5_000 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.durability === 'power' ? 'FULL' : 'NORMAL'}`);
      // Checkpoint (copy the WAL into the main file, with an fsync) every ~40 MB of WAL instead
      // of SQLite's ~4 MB: checkpoints run inside a commit, and at the default they dominated
      // write latency (p99 ~3 ms vs ~0.1 ms with 2 KB values). The WAL is truncated back to
      // 64 MB after a checkpoint.
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma('journal_size_limit = 67108864');
      // Take the exclusive lock now, so a second process fails here rather than on first write.
      db.exec('BEGIN EXCLUSIVE');
      db.exec(SCHEMA_SQL);
      db.exec('COMMIT');
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    const seq = db.prepare<[], { seq: number }>(SQL.sequence).get()?.seq ?? 0;
    const maxId = db.prepare<[], { id: number | null }>(SQL.maxId).get()?.id ?? 0;
    this.rev = Math.max(seq, maxId);
    this.compactRev = db.prepare<[string], { value: number }>(SQL.getMeta).get(COMPACT_REV)?.value ?? 0;

    this.stmts = {
      latest: db.prepare<[string], KvRow>(SQL.latest),
      insert: db.prepare<[string, number, number, number, number, string]>(SQL.insert),
      setMeta: db.prepare<[string, number]>(SQL.setMeta),
      compact: db.prepare<{ from: number; to: number }>(SQL.compact),
    };
    this.writeTxn = db.transaction((key, fn) => {
      const latest = this.stmts.latest.get(key);
      const r = fn(latest);
      const id = Number(this.stmts.insert.run(key, r.created, r.deleted, r.create_revision, r.prev_revision, r.value).lastInsertRowid);
      return { row: { id, name: key, ...r }, prev: latest && !latest.deleted ? latest : undefined };
    });

    this.hub = new WatchHub(
      {
        readHistory: (prefix, after, upTo, maxRevisions) => this.readHistory(prefix, after, upTo, maxRevisions),
        compactedRevision: () => this.compactRev,
      },
      { maxBuffered: opts.maxWatchBuffer ?? 10_000, catchUpPageRevisions: opts.catchUpPageRevisions ?? 1_000 },
    );

    const intervalMs = opts.autoCompact?.intervalMs ?? 300_000;
    if (intervalMs > 0) {
      this.compactTimer = setInterval(() => this.autoCompact(), intervalMs);
      this.compactTimer.unref();
    }
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.open();
    const row = this.stmts.latest.get(key);
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const db = this.open();
    const rev = this.readRevision(opts.revision);
    const end = prefixEndString(opts.prefix);
    const hasAfter = opts.startAfter !== undefined;
    const params = {
      start: opts.prefix,
      ...(end !== undefined ? { end } : {}),
      ...(hasAfter ? { after: opts.startAfter } : {}),
      rev,
    };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const rows = this.stmt<KvRow>(db, listSql(end !== undefined, hasAfter)).all({ ...params, limit: limit ? limit + 1 : -1 });
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.map(toKeyValue);
    let remaining = 0;
    if (more) {
      const after = items[items.length - 1]!.key;
      remaining = this.stmt<{ n: number }>(db, countSql(end !== undefined, true)).get({ ...params, after })!.n;
    }
    return { items, revision: rev, more, remaining };
  }

  async count(prefix: string): Promise<number> {
    const db = this.open();
    const end = prefixEndString(prefix);
    const params = { start: prefix, ...(end !== undefined ? { end } : {}), rev: this.rev };
    return this.stmt<{ n: number }>(db, countSql(end !== undefined, false)).get(params)!.n;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const { row } = this.write(key, (latest) => {
      if (latest && !latest.deleted) throw new KeyExistsError(`key already exists: ${key}`, key);
      return { created: 1, deleted: 0, create_revision: 0, prev_revision: latest?.id ?? 0, value };
    });
    return toKeyValue(row);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const { row } = this.write(key, (latest) => {
      if (!latest || latest.deleted) throw new NotFoundError(`key not found: ${key}`, key);
      if (latest.id !== expectedModRevision) {
        throw new ConflictError(`key ${key} is at revision ${latest.id}, not ${expectedModRevision}`, key);
      }
      return { created: 0, deleted: 0, create_revision: createRevisionOf(latest), prev_revision: latest.id, value };
    });
    return toKeyValue(row);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const { prev } = this.write(key, (latest) => {
      if (!latest || latest.deleted) throw new NotFoundError(`key not found: ${key}`, key);
      if (expectedModRevision !== undefined && latest.id !== expectedModRevision) {
        throw new ConflictError(`key ${key} is at revision ${latest.id}, not ${expectedModRevision}`, key);
      }
      return { created: 0, deleted: 1, create_revision: createRevisionOf(latest), prev_revision: latest.id, value: latest.value };
    });
    return toKeyValue(prev!);
  }

  async watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Promise<Watcher> {
    this.open();
    if (afterRevision < this.compactRev) throw new CompactedError(afterRevision, this.compactRev);
    return this.hub.add(prefix, afterRevision, this.rev, handlers);
  }

  async currentRevision(): Promise<number> {
    this.open();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    this.open();
    return this.compactRev;
  }

  async compact(revision: number): Promise<void> {
    this.open();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    this.compactTo(revision);
  }

  /** How many watchers are attached (for tests and metrics). */
  get watcherCount(): number {
    return this.hub.size;
  }

  async close(): Promise<void> {
    if (!this.db) return;
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.hub.closeAll(new UnavailableError('sqlite store closed'));
    this.db.close();
    this.db = undefined;
  }

  // --- internals ---

  private open(): Db {
    if (!this.db) throw new UnavailableError('sqlite store is closed');
    return this.db;
  }

  private stmt<R>(db: Db, sql: string): Statement<unknown[], R> {
    let s = this.cached.get(sql);
    if (!s) {
      s = db.prepare(sql);
      this.cached.set(sql, s);
    }
    return s as Statement<unknown[], R>;
  }

  private readRevision(requested: number | undefined): number {
    if (!requested) return this.rev;
    if (requested > this.rev) throw new FutureRevisionError(requested, this.rev);
    if (requested < this.compactRev) throw new CompactedError(requested, this.compactRev);
    return requested;
  }

  /** Runs one write transaction, then publishes its event. */
  private write(key: string, fn: (latest: KvRow | undefined) => Omit<KvRow, 'id' | 'name'>): { row: KvRow; prev: KvRow | undefined } {
    this.open();
    let result: { row: KvRow; prev: KvRow | undefined };
    try {
      result = this.writeTxn(key, fn);
    } catch (err) {
      throw mapWriteError(err, key);
    }
    this.rev = result.row.id;
    this.hub.publish(toEvent(result.row, result.prev));
    return result;
  }

  private readHistory(prefix: string, after: number, upTo: number, maxRevisions: number): { events: WatchEvent[]; scannedTo: number } {
    const db = this.open();
    const end = prefixEndString(prefix);
    const scannedTo = Math.min(upTo, after + maxRevisions);
    const rows = this.stmt<EventRow>(db, historySql(end !== undefined)).all({
      after,
      upTo: scannedTo,
      start: prefix,
      ...(end !== undefined ? { end } : {}),
    });
    const events = rows.map((r) =>
      toEvent(
        r,
        r.p_id !== null
          ? { id: r.p_id, name: r.name, created: r.p_created!, deleted: 0, create_revision: r.p_create_revision!, prev_revision: 0, value: r.p_value! }
          : undefined,
      ),
    );
    return { events, scannedTo };
  }

  private compactTo(revision: number): void {
    const db = this.open();
    if (revision <= this.compactRev) return;
    const from = this.compactRev;
    db.transaction(() => {
      this.stmts.compact.run({ from, to: revision });
      this.stmts.setMeta.run(COMPACT_REV, revision);
    })();
    this.compactRev = revision;
  }

  /** One background pass: compact up to rev - retain, a step per event-loop turn. */
  private autoCompact(): void {
    if (this.compacting || !this.db) return;
    const retain = this.opts.autoCompact?.retainRevisions ?? 10_000;
    const target = this.rev - retain;
    if (target <= this.compactRev) return;
    this.compacting = true;
    const step = (): void => {
      try {
        if (!this.db || this.compactRev >= target) return void (this.compacting = false);
        this.compactTo(Math.min(target, this.compactRev + AUTO_COMPACT_STEP));
        setImmediate(step);
      } catch (err) {
        this.compacting = false;
        // A failed background compaction is retried next interval; history is just kept longer.
        process.emitWarning(`sqlite store: background compaction failed: ${(err as Error).message}`);
      }
    };
    step();
  }
}

function createRevisionOf(row: KvRow): number {
  return row.created ? row.id : row.create_revision;
}

function toKeyValue(row: KvRow): KeyValue {
  return { key: row.name, value: row.value, createRevision: createRevisionOf(row), modRevision: row.id };
}

function toEvent(row: KvRow, prev: KvRow | undefined): WatchEvent {
  const ev: WatchEvent = { type: row.deleted ? 'delete' : 'put', kv: toKeyValue(row), revision: row.id };
  if (prev) ev.prev = toKeyValue(prev);
  return ev;
}

function mapWriteError(err: unknown, key: string): Error {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
    return new ConflictError(`concurrent write to ${key}`, key, { cause: err });
  }
  return new UnavailableError(`sqlite write of ${key} failed: ${(err as Error).message}`, key, { cause: err });
}
