/**
 * apiserver/watch-cache: one store watch feeds the whole API server. It keeps the current state
 * of every object (for lists at resourceVersion 0 and consistent lists once caught up) and a
 * window of recent events (for watches from a past resourceVersion), and fans events out to
 * subscribers, so a thousand watchers never each read the store.
 */
import type { KeyValue, Store, Watcher, WatchEvent } from '../storage/store.js';

export interface CachedEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  revision: number;
  /** The object after the event (for DELETED: the last state, with the delete's revision). */
  kv: KeyValue;
  /** The object before the event, when there was one. */
  prev?: KeyValue;
}

export interface Subscription {
  close(): void;
}

type Listener = (events: CachedEvent[]) => void;

interface Subscriber {
  prefix: string;
  listener: Listener;
  closed: boolean;
}

/**
 * A watch that only cares about objects with one value of an indexed field (a node agent's
 * `spec.nodeName=<node>` pod watch): it is handed only the events whose object has that value
 * before or after the event, instead of being offered every event of the resource.
 */
export interface WatchIndex {
  /** Names the index; subscribers with the same name share one extraction per event. */
  name: string;
  value: string;
  extract(kv: KeyValue): string | undefined;
}

interface IndexGroup {
  extract(kv: KeyValue): string | undefined;
  byValue: Map<string, Set<Subscriber>>;
}

interface SubscriberSet {
  plain: Set<Subscriber>;
  indexed: Map<string, IndexGroup>;
}

export class TooOldResourceVersionError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export interface WatchCacheOptions {
  /** Root prefix of all keys, default "/registry/". */
  prefix?: string;
  /** How many recent events to keep for watches from a past revision. */
  historySize?: number;
}

/** Resource prefix of a key: "/registry/apps/deployments/ns/name" → "/registry/apps/deployments/". */
export function resourcePrefixOf(key: string): string {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 47 && ++slashes === 4) return key.slice(0, i + 1);
  }
  return key;
}

function deliver(s: Subscriber, resourcePrefix: string, events: CachedEvent[]): void {
  if (s.closed) return;
  const mine = s.prefix === resourcePrefix ? events : events.filter((e) => e.key.startsWith(s.prefix));
  if (mine.length) s.listener(mine);
}

export class WatchCache {
  private readonly prefix: string;
  private readonly historySize: number;
  /** resource prefix → key → kv */
  private readonly state = new Map<string, Map<string, KeyValue>>();
  private history: CachedEvent[] = [];
  /** The revision the cache reflects: every event up to it has been applied. */
  revision = 0;
  /** The oldest revision from which a watch can be served: events after it are all in history. */
  private oldestWatchable = 0;
  private readonly subscribers = new Map<string, SubscriberSet>();
  private waiters: { revision: number; resolve: () => void }[] = [];
  private watcher?: Watcher;
  private failed?: Error;
  private closed = false;

  constructor(private readonly store: Store, opts: WatchCacheOptions = {}) {
    this.prefix = opts.prefix ?? '/registry/';
    this.historySize = opts.historySize ?? 20_000;
  }

  /** Loads the current state and starts following the store. */
  async start(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<void> {
    this.state.clear();
    let startAfter: string | undefined;
    let revision = 0;
    for (;;) {
      const page = await this.store.list({ prefix: this.prefix, limit: 5000, startAfter, revision: revision || undefined });
      revision = page.revision;
      for (const kv of page.items) this.bucket(resourcePrefixOf(kv.key)).set(kv.key, kv);
      if (!page.more || page.items.length === 0) break;
      startAfter = page.items[page.items.length - 1].key;
    }
    this.revision = revision;
    this.oldestWatchable = revision;
    this.history = [];
    this.watcher = await this.store.watch(this.prefix, revision, {
      onEvents: (events) => this.apply(events),
      onError: (err) => this.onStoreWatchError(err),
    });
    this.release();
  }

  private onStoreWatchError(err: Error): void {
    if (this.closed) return;
    // The store dropped us (e.g. we fell behind a compaction): reload and tell watchers to re-list.
    this.failed = err;
    void this.watcher?.close();
    const subs = this.allSubscribers();
    this.subscribers.clear();
    for (const s of subs) s.closed = true;
    for (const s of subs) s.listener([]);
    this.load().then(
      () => { this.failed = undefined; },
      (e: unknown) => { this.failed = e instanceof Error ? e : new Error(String(e)); },
    );
  }

  private bucket(resourcePrefix: string): Map<string, KeyValue> {
    let b = this.state.get(resourcePrefix);
    if (!b) {
      b = new Map();
      this.state.set(resourcePrefix, b);
    }
    return b;
  }

  private apply(events: WatchEvent[]): void {
    const byPrefix = new Map<string, CachedEvent[]>();
    for (const e of events) {
      if (e.revision <= this.revision) continue;
      const rp = resourcePrefixOf(e.kv.key);
      const bucket = this.bucket(rp);
      const prev = e.prev ?? bucket.get(e.kv.key);
      let ce: CachedEvent;
      if (e.type === 'delete') {
        bucket.delete(e.kv.key);
        ce = { type: 'DELETED', key: e.kv.key, revision: e.revision, kv: { ...e.kv, modRevision: e.revision }, prev };
      } else {
        bucket.set(e.kv.key, e.kv);
        ce = { type: prev ? 'MODIFIED' : 'ADDED', key: e.kv.key, revision: e.revision, kv: e.kv, prev };
      }
      this.history.push(ce);
      this.revision = e.revision;
      let list = byPrefix.get(rp);
      if (!list) byPrefix.set(rp, (list = []));
      list.push(ce);
    }
    const excess = this.history.length - this.historySize;
    if (excess > this.historySize / 4) {
      this.oldestWatchable = this.history[excess - 1].revision;
      this.history = this.history.slice(excess);
    }
    for (const [rp, evs] of byPrefix) {
      const subs = this.subscribers.get(rp);
      if (!subs) continue;
      for (const s of subs.plain) deliver(s, rp, evs);
      for (const group of subs.indexed.values()) {
        const byValue = new Map<string, CachedEvent[]>();
        for (const e of evs) {
          const now = group.extract(e.kv);
          const before = e.prev ? group.extract(e.prev) : undefined;
          for (const v of now === before ? [now] : [now, before]) {
            if (v === undefined || !group.byValue.has(v)) continue;
            let list = byValue.get(v);
            if (!list) byValue.set(v, (list = []));
            list.push(e);
          }
        }
        for (const [v, list] of byValue) for (const s of group.byValue.get(v) ?? []) deliver(s, rp, list);
      }
    }
    this.release();
  }

  private release(): void {
    if (!this.waiters.length) return;
    const ready = this.waiters.filter((w) => w.revision <= this.revision);
    this.waiters = this.waiters.filter((w) => w.revision > this.revision);
    for (const w of ready) w.resolve();
  }

  /** Resolves once the cache has applied every event up to revision. */
  waitFor(revision: number, timeoutMs = 3000): Promise<void> {
    if (revision <= this.revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { revision, resolve: () => { clearTimeout(t); resolve(); } };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`watch cache did not reach revision ${revision} in time (at ${this.revision})`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Waits until the cache reflects the store's current revision. */
  async sync(): Promise<number> {
    if (this.failed) throw this.failed;
    const rev = await this.store.currentRevision();
    await this.waitFor(rev);
    return this.revision;
  }

  /** Current objects under prefix (which must lie within one resource), sorted by key. */
  list(prefix: string): KeyValue[] {
    const rp = resourcePrefixOf(prefix);
    const bucket = this.state.get(rp);
    if (!bucket) return [];
    const out: KeyValue[] = [];
    if (prefix === rp) for (const kv of bucket.values()) out.push(kv);
    else for (const kv of bucket.values()) if (kv.key.startsWith(prefix)) out.push(kv);
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  get(key: string): KeyValue | undefined {
    return this.state.get(resourcePrefixOf(key))?.get(key);
  }

  /**
   * Subscribes to events under prefix with revision > afterRevision. Past events come from the
   * history window; throws TooOldResourceVersionError if afterRevision is older than it.
   * The listener is called with an empty array when the subscription is ended by the cache.
   */
  subscribe(prefix: string, afterRevision: number, listener: Listener, index?: WatchIndex): Subscription {
    if (afterRevision < this.oldestWatchable) throw new TooOldResourceVersionError(afterRevision, this.oldestWatchable);
    const rp = resourcePrefixOf(prefix);
    const sub: Subscriber = { prefix, listener, closed: false };
    if (afterRevision < this.revision) {
      const past = this.eventsAfter(afterRevision).filter((e) => e.key.startsWith(prefix));
      if (past.length) listener(past);
    }
    let subs = this.subscribers.get(rp);
    if (!subs) this.subscribers.set(rp, (subs = { plain: new Set(), indexed: new Map() }));
    let set: Set<Subscriber>;
    if (index) {
      let group = subs.indexed.get(index.name);
      if (!group) subs.indexed.set(index.name, (group = { extract: index.extract, byValue: new Map() }));
      let byValue = group.byValue.get(index.value);
      if (!byValue) group.byValue.set(index.value, (byValue = new Set()));
      set = byValue;
    } else set = subs.plain;
    set.add(sub);
    const group = index ? subs.indexed.get(index.name) : undefined;
    return {
      close: () => {
        sub.closed = true;
        set.delete(sub);
        if (index && group && set.size === 0) group.byValue.delete(index.value);
      },
    };
  }

  private eventsAfter(revision: number): CachedEvent[] {
    // history is sorted by revision: binary search for the first event after revision.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  get watcherCount(): number {
    let n = 0;
    return this.allSubscribers().length;
  }

  private allSubscribers(): Subscriber[] {
    const out: Subscriber[] = [];
    for (const subs of this.subscribers.values()) {
      out.push(...subs.plain);
      for (const g of subs.indexed.values()) for (const set of g.byValue.values()) out.push(...set);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.allSubscribers()) {
      s.closed = true;
      s.listener([]);
    }
    this.subscribers.clear();
    await this.watcher?.close();
  }
}
