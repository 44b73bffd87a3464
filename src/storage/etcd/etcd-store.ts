/**
 * storage/etcd/etcd-store: the Store on a real etcd v3 cluster, through the `etcd3` client.
 *
 * Revisions are etcd's own; values are stored as UTF-8 strings. Every write is a single
 * etcd transaction whose compare holds the precondition (create: createRevision == 0;
 * update/delete: the key exists and modRevision == expected), and whose failure branch reads
 * the key so the error can say NotFound or Conflict without a second round trip.
 *
 * Watches use one gRPC watch stream each, asking for prevKv, starting at afterRevision + 1.
 * Unlike the etcd3 Watcher this does not reconnect by itself: if the stream breaks the watch
 * ends with UnavailableError and the caller re-watches from the last revision it saw, the same
 * way Kubernetes' reflectors do. Compaction is reported as CompactedError.
 *
 * etcd does not report its compacted revision directly; compactedRevision() probes for the
 * oldest readable revision (one read in the common case, a binary search otherwise), starting
 * from the highest compaction this client has seen (its own compact() calls and watch
 * cancellations).
 */

import { Etcd3 } from 'etcd3';
import type { IKeyValue, IWatchResponse, IEvent, IDuplexStream, IOptions } from 'etcd3';
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
import { prefixEndBytes } from '../key-range.js';

export interface EtcdStoreOptions {
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]. */
  endpoints: string[];
  /** Milliseconds to wait while connecting. Default 5,000. */
  dialTimeoutMs?: number;
  /** Per-request deadline in milliseconds. Default 10,000. */
  requestTimeoutMs?: number;
  /** Extra etcd3 client options (TLS, auth). */
  client?: Omit<IOptions, 'hosts'>;
}

/** Opens a client and checks that the cluster answers. */
export async function openEtcdStore(opts: EtcdStoreOptions): Promise<EtcdStore> {
  if (opts.endpoints.length === 0) throw new Error('no etcd endpoints given');
  const store = new EtcdStore(opts);
  try {
    await store.currentRevision();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

type WatchStream = IDuplexStream<unknown, IWatchResponse>;

const COMPACTED = 'required revision has been compacted';
const FUTURE = 'required revision is a future revision';

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private closed = false;
  /** Highest compaction revision this client knows of. */
  private knownCompacted = 0;
  private readonly watchers = new Set<EtcdWatcher>();

  constructor(opts: EtcdStoreOptions) {
    const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      ...opts.client,
      // gRPC's default 4 MB cap on a received message fails any range or watch batch larger
      // than that (e.g. listing 10,000 4.5 KB pods, as the watch cache does at start-up); the
      // Kubernetes API server lifts the cap in the same way.
      grpcOptions: { 'grpc.max_receive_message_length': -1, ...opts.client?.grpcOptions },
      hosts: opts.endpoints,
      dialTimeout: opts.dialTimeoutMs ?? 5_000,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(key, () => this.client.kv.range({ key: b(key) }));
    const kv = res.kvs[0];
    return kv ? toKeyValue(kv) : undefined;
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const prefix = b(opts.prefix);
    let start = prefix;
    if (opts.startAfter !== undefined) {
      const after = Buffer.concat([b(opts.startAfter), Buffer.from([0])]);
      if (Buffer.compare(after, start) > 0) start = after;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const res = await this.call(undefined, () =>
      this.client.kv.range({
        key: start,
        range_end: prefixEndBytes(opts.prefix),
        ...(opts.revision ? { revision: opts.revision } : {}),
        ...(limit ? { limit } : {}),
      }),
      opts.revision,
    );
    const items = res.kvs.map(toKeyValue);
    return {
      items,
      revision: opts.revision || Number(res.header.revision),
      more: res.more,
      remaining: Number(res.count) - items.length,
    };
  }

  async count(prefix: string): Promise<number> {
    const res = await this.call(undefined, () =>
      this.client.kv.range({ key: b(prefix), range_end: prefixEndBytes(prefix), count_only: true }),
    );
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = b(key);
    const res = await this.call(key, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: b(value) } }],
      }),
    );
    if (!res.succeeded) throw new KeyExistsError(`key already exists: ${key}`, key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = b(key);
    const res = await this.call(key, () =>
      this.client.kv.txn({
        compare: [
          { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
          { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision },
        ],
        success: [{ request_put: { key: k, value: b(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw preconditionError(key, expectedModRevision, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]!.response_put.prev_kv;
    return { key, value, createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = b(key);
    const res = await this.call(key, () =>
      this.client.kv.txn({
        compare: [
          { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
          ...(expectedModRevision !== undefined
            ? [{ key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision }]
            : []),
        ],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw preconditionError(key, expectedModRevision, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]!.response_delete_range.prev_kvs[0];
    if (!prev) throw new NotFoundError(`key not found: ${key}`, key);
    return toKeyValue(prev);
  }

  async watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Promise<Watcher> {
    this.ensureOpen();
    // etcd would accept the watch and cancel it a moment later; check first so the caller gets
    // the CompactedError from watch() itself, like the other backends.
    try {
      await this.call(undefined, () =>
        this.client.kv.range({ key: b(prefix), count_only: true, revision: Math.max(afterRevision, 1) }),
        Math.max(afterRevision, 1),
      );
    } catch (err) {
      if (err instanceof CompactedError) throw new CompactedError(afterRevision, err.compacted);
      if (!(err instanceof FutureRevisionError)) throw err;
    }
    let stream: WatchStream;
    try {
      stream = (await this.client.watchClient.watch()) as unknown as WatchStream;
    } catch (err) {
      throw unavailable(err, undefined);
    }
    const w = new EtcdWatcher(this, stream, prefix, afterRevision, handlers);
    this.watchers.add(w);
    await w.started;
    return w;
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(undefined, () => this.client.kv.range({ key: Buffer.from([0]), count_only: true }));
    return Number(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    // Smallest readable revision r >= 1 (etcd serves reads at r iff r >= its compact revision).
    const readable = async (rev: number): Promise<boolean> => {
      try {
        await this.call(undefined, () => this.client.kv.range({ key: Buffer.from([0]), count_only: true, revision: rev }), rev, false);
        return true;
      } catch (err) {
        if (err instanceof CompactedError) return false;
        throw err;
      }
    };
    let lo = Math.max(this.knownCompacted, 1);
    if (!(await readable(lo))) {
      let hi = await this.currentRevision(); // always readable
      while (lo + 1 < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (await readable(mid)) hi = mid;
        else lo = mid;
      }
      lo = hi;
    }
    this.noteCompacted(lo === 1 ? this.knownCompacted : lo);
    return this.knownCompacted;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.call(undefined, () => this.client.kv.compact({ revision, physical: true }), revision);
    } catch (err) {
      if (err instanceof CompactedError) return; // already compacted at or past it
      throw err;
    }
    this.noteCompacted(revision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watchers]) w.fail(new UnavailableError('etcd store closed'));
    this.client.close();
  }

  // --- internals, used by EtcdWatcher too ---

  noteCompacted(rev: number): void {
    if (rev > this.knownCompacted) this.knownCompacted = rev;
  }

  forget(w: EtcdWatcher): void {
    this.watchers.delete(w);
  }

  private ensureOpen(): void {
    if (this.closed) throw new UnavailableError('etcd store is closed');
  }

  /**
   * Runs one request, mapping etcd and transport errors to StoreErrors. `revision` is the
   * revision the request reads at, for CompactedError and FutureRevisionError.
   */
  private async call<T>(key: string | undefined, fn: () => Promise<T>, revision?: number, probe = true): Promise<T> {
    this.ensureOpen();
    try {
      return await fn();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (msg.includes(COMPACTED)) {
        const guess = Math.max(this.knownCompacted, (revision ?? 0) + 1);
        const compacted = probe ? await this.compactedRevision().catch(() => guess) : guess;
        throw new CompactedError(revision ?? 0, compacted);
      }
      if (msg.includes(FUTURE)) {
        const current = await this.currentRevision().catch(() => 0);
        throw new FutureRevisionError(revision ?? 0, current);
      }
      throw unavailable(err, key);
    }
  }
}

class EtcdWatcher implements Watcher {
  readonly started: Promise<void>;
  private state: 'starting' | 'live' | 'closed' = 'starting';
  private lastRevision: number;

  constructor(
    private readonly store: EtcdStore,
    private readonly stream: WatchStream,
    private readonly prefix: string,
    afterRevision: number,
    private readonly handlers: WatchHandlers,
  ) {
    this.lastRevision = afterRevision;
    let resolveStarted!: () => void;
    let rejectStarted!: (err: Error) => void;
    this.started = new Promise((res, rej) => {
      resolveStarted = res;
      rejectStarted = rej;
    });
    const end = (err: Error): void => {
      if (this.state === 'starting') {
        this.close();
        rejectStarted(err);
      } else {
        this.fail(err);
      }
    };
    stream.on('data', (res: IWatchResponse) => {
      if (this.state === 'closed') return;
      if (res.created && !res.canceled) {
        this.state = 'live';
        resolveStarted();
      }
      if (res.events?.length) this.deliver(res.events);
      if (res.canceled) {
        const compacted = Number(res.compact_revision || 0);
        if (compacted > 0) {
          this.store.noteCompacted(compacted);
          end(new CompactedError(this.lastRevision, compacted));
        } else {
          end(new StoreError(`etcd cancelled the watch on ${prefix}: ${res.cancel_reason || 'no reason given'}`));
        }
      }
    });
    stream.on('error', (err: Error) => end(unavailable(err, undefined, `etcd watch on ${prefix} broke`)));
    stream.on('end', () => end(new UnavailableError(`etcd watch stream on ${prefix} ended`)));
    stream.write({
      create_request: {
        key: b(prefix),
        range_end: prefixEndBytes(prefix),
        start_revision: afterRevision + 1,
        prev_kv: true,
      },
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.store.forget(this);
    try {
      this.stream.cancel();
    } catch {
      // already gone
    }
  }

  fail(err: Error): void {
    if (this.state === 'closed') return;
    void this.close();
    try {
      this.handlers.onError(err);
    } catch {
      // nobody left to tell
    }
  }

  private deliver(raw: IEvent[]): void {
    const events: WatchEvent[] = [];
    for (const e of raw) {
      const rev = Number(e.kv.mod_revision);
      let ev: WatchEvent;
      if (e.type === 'Delete') {
        // etcd's delete event carries only the key; the last value comes from prevKv.
        const prev = e.prev_kv ? toKeyValue(e.prev_kv) : undefined;
        ev = {
          type: 'delete',
          kv: { key: s(e.kv.key), value: prev?.value ?? '', createRevision: prev?.createRevision ?? 0, modRevision: rev },
          revision: rev,
        };
        if (prev) ev.prev = prev;
      } else {
        ev = { type: 'put', kv: toKeyValue(e.kv), revision: rev };
        // A put that created the key (version 1) has no previous value even if prevKv is set.
        if (e.prev_kv && e.kv.version !== '1') ev.prev = toKeyValue(e.prev_kv);
      }
      events.push(ev);
    }
    this.lastRevision = events[events.length - 1]!.revision;
    try {
      this.handlers.onEvents(events);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function b(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

function s(buf: Buffer): string {
  return buf.toString('utf8');
}

function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: s(kv.key),
    value: s(kv.value),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

function preconditionError(key: string, expected: number | undefined, current: IKeyValue | undefined): StoreError {
  if (!current) return new NotFoundError(`key not found: ${key}`, key);
  return new ConflictError(`key ${key} is at revision ${current.mod_revision}, not ${expected}`, key);
}

function unavailable(err: unknown, key: string | undefined, what = 'etcd request failed'): StoreError {
  if (err instanceof StoreError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new UnavailableError(`${what}: ${msg}`, key, { cause: err });
}
