/**
 * SharedInformer: keeps a local cache of one resource (optionally one namespace, optionally
 * metadata only) in step with the API server and tells handlers what changed.
 *
 * It lists (paged), then watches from the list's resourceVersion with bookmarks. A watch that
 * ends is reopened from the last resourceVersion seen; a 410 Expired (as a status or an ERROR
 * event) or any other failure leads to a re-list, with exponential back-off, and the difference
 * between the cache and the new list is delivered as add/update/delete. An optional periodic
 * resync re-delivers every cached object as an update (old === new).
 *
 * Cached objects are shared by every handler and lister: never mutate them (copy first). Outside
 * production (NODE_ENV unset to "production") they are deep-frozen so a mutation throws.
 */
import { ApiError, type KObject, type KubeClient, type ResourceRef, type WatchEvent, type WatchStream } from './rest-client.js';
import { Indexer, objectKey, type IndexFunc } from './store.js';

export interface EventHandlers<T = KObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state known to the cache (after a re-list, the state before the object disappeared). */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T = KObject> {
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Ask for PartialObjectMetadata instead of whole objects. */
  metadataOnly?: boolean;
  /** Re-deliver every cached object as an update this often (ms); 0 or unset: never. */
  resyncMs?: number;
  /** List page size (default 500). */
  pageSize?: number;
  /** Re-list back-off, doubling from initialMs up to maxMs (defaults 200 ms … 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  indexers?: Record<string, IndexFunc<T>>;
  /** Deep-freeze cached objects (default: unless NODE_ENV is "production"). */
  freeze?: boolean;
  log?: (msg: string) => void;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object' && !Object.isFrozen(obj)) {
    Object.freeze(obj);
    for (const v of Object.values(obj as object)) deepFreeze(v);
  }
  return obj;
}

const rvOf = (obj: KObject): string | undefined => obj?.metadata?.resourceVersion;

export class SharedInformer<T extends KObject = KObject> {
  readonly store: Indexer<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly controller = new AbortController();
  private started = false;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private stream?: WatchStream<T>;
  private loop?: Promise<void>;
  private resyncTimer?: NodeJS.Timeout;
  private readonly freeze: boolean;
  private readonly log: (msg: string) => void;
  /** The resourceVersion the cache reflects. */
  lastSyncResourceVersion = '';
  /** How many times the informer has listed (1 after the first sync). */
  listCount = 0;

  constructor(
    private readonly client: KubeClient,
    readonly resource: ResourceRef,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.store = new Indexer<T>(opts.indexers ?? {});
    this.freeze = opts.freeze ?? process.env.NODE_ENV !== 'production';
    this.log = opts.log ?? (() => {});
  }

  /** Adds handlers. If the informer already holds objects, the new handlers get an add for each. */
  addEventHandler(h: EventHandlers<T>): () => void {
    this.handlers.add(h);
    if (this.started) for (const obj of this.store.list()) this.call(h, 'onAdd', obj);
    return () => this.handlers.delete(h);
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.store.addIndexers(indexers);
  }

  start(): void {
    if (this.started || this.controller.signal.aborted) return;
    this.started = true;
    this.loop = this.run();
    if (this.opts.resyncMs && this.opts.resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.stream?.abort();
    await this.loop;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first complete list has been delivered (or when the informer is stopped). */
  waitForSync(): Promise<void> {
    if (this.synced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    const initial = this.opts.backoff?.initialMs ?? 200;
    const max = this.opts.backoff?.maxMs ?? 30_000;
    let delay = initial;
    while (!signal.aborted) {
      try {
        const rv = await this.relist();
        delay = initial;
        await this.watchFrom(rv);
        // watchFrom returns when the server says the resourceVersion is too old: re-list at once.
      } catch (err) {
        if (signal.aborted) break;
        this.log(`informer ${this.resource.plural}: ${err instanceof Error ? err.message : String(err)}; re-listing in ${delay} ms`);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, max);
      }
    }
  }

  private async relist(): Promise<string> {
    const list = await this.client.listAll<T>(this.resource, this.opts.namespace, {
      labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
      limit: this.opts.pageSize ?? 500, metadataOnly: this.opts.metadataOnly,
    });
    if (this.stopped) return '';
    this.listCount++;
    const rv = list.metadata?.resourceVersion ?? '';
    const seen = new Set<string>();
    for (const item of list.items) {
      this.fillTypeMeta(item);
      const key = objectKey(item);
      seen.add(key);
      const old = this.store.get(key);
      if (old && rvOf(old) === rvOf(item)) continue;
      this.store.set(this.freeze ? deepFreeze(item) : item);
      if (old) this.emit('onUpdate', old, item);
      else this.emit('onAdd', item);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.delete(key);
      if (old) this.emit('onDelete', old);
    }
    this.lastSyncResourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    return rv;
  }

  /** Watches until the resourceVersion expires (returns) or something fails (throws). */
  private async watchFrom(startRv: string): Promise<void> {
    const signal = this.controller.signal;
    let rv = startRv;
    let quiet = 0;
    let openFailures = 0;
    while (!signal.aborted) {
      let stream: WatchStream<T>;
      try {
        stream = await this.client.watch<T>(this.resource, this.opts.namespace, {
          resourceVersion: rv, allowWatchBookmarks: true, metadataOnly: this.opts.metadataOnly,
          labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
          timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        });
      } catch (err) {
        if (err instanceof ApiError && err.code === 410) return;
        // A connection problem (e.g. a keep-alive socket the server already closed): retry the
        // watch a few times before falling back to a re-list.
        if (err instanceof ApiError || ++openFailures > 3 || signal.aborted) throw err;
        await sleep(25 * 2 ** openFailures, signal);
        continue;
      }
      openFailures = 0;
      this.stream = stream;
      if (signal.aborted) stream.abort();
      let events = 0;
      const iterator = stream[Symbol.asyncIterator]();
      for (;;) {
        let step: IteratorResult<WatchEvent<T>>;
        try {
          step = await iterator.next();
        } catch (err) {
          // A broken stream: reopen the watch from the last resourceVersion seen.
          this.log(`informer ${this.resource.plural}: watch stream broke: ${err instanceof Error ? err.message : String(err)}`);
          break;
        }
        if (step.done) break;
        const ev = step.value;
        events++;
        const obj = ev.object;
        if (ev.type === 'ERROR') {
          const code = (obj as KObject)?.code;
          if (code === 410) return;
          throw new ApiError(code ?? 500, (obj as KObject)?.reason ?? '', (obj as KObject)?.message ?? 'watch error', obj as KObject);
        }
        const next = rvOf(obj);
        if (ev.type === 'BOOKMARK') {
          if (next) rv = next;
          continue;
        }
        this.fillTypeMeta(obj);
        const key = objectKey(obj);
        if (ev.type === 'DELETED') {
          const old = this.store.delete(key);
          if (this.freeze) deepFreeze(obj);
          this.emit('onDelete', old ?? obj);
        } else {
          const old = this.store.get(key);
          this.store.set(this.freeze ? deepFreeze(obj) : obj);
          if (old) this.emit('onUpdate', old, obj);
          else this.emit('onAdd', obj);
        }
        if (next) rv = next;
        this.lastSyncResourceVersion = rv;
      }
      this.stream = undefined;
      // The stream ended (timeout, server going away): reopen from rv; back off a little if
      // streams keep ending empty.
      quiet = events ? 0 : quiet + 1;
      if (quiet > 1) await sleep(Math.min(50 * 2 ** quiet, 5000), signal);
    }
  }

  private resync(): void {
    if (!this.synced || this.stopped) return;
    for (const obj of this.store.list()) this.emit('onUpdate', obj, obj);
  }

  /** Lists leave kind/apiVersion off items; watches of partial metadata already carry them. */
  private fillTypeMeta(obj: KObject): void {
    if (obj.kind || Object.isFrozen(obj)) return;
    if (this.opts.metadataOnly) {
      obj.kind = 'PartialObjectMetadata';
      obj.apiVersion = 'meta.k8s.io/v1';
    } else if (this.resource.kind) {
      obj.kind = this.resource.kind;
      obj.apiVersion = this.resource.group ? `${this.resource.group}/${this.resource.version}` : this.resource.version;
    }
  }

  private emit(kind: 'onAdd' | 'onDelete', obj: T): void;
  private emit(kind: 'onUpdate', oldObj: T, newObj: T): void;
  private emit(kind: keyof EventHandlers<T>, a: T, b?: T): void {
    for (const h of this.handlers) this.call(h, kind, a, b);
  }

  private call(h: EventHandlers<T>, kind: keyof EventHandlers<T>, a: T, b?: T): void {
    try {
      if (kind === 'onUpdate') h.onUpdate?.(a, b!);
      else h[kind]?.(a);
    } catch (err) {
      this.log(`informer ${this.resource.plural}: ${kind} handler failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
}
