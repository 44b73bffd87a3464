/**
 * A live view of one resource's objects in the API server's watch cache, for authorizers: listed once,
 * kept current by a cache subscription (re-listed if the cache ends it), with a version number that
 * changes on every event so callers can rebuild their indexes lazily.
 */
import type { KObject } from '../rest/codec.js';
import { decodeShared } from '../rest/codec.js';
import type { KeyValue } from '../../storage/store.js';
import type { Subscription, WatchCache } from '../watch-cache.js';

export class CachedObjects {
  /** Decoded on first read (decodeShared caches per kv), so events nobody asks about cost no parse. */
  private readonly objects = new Map<string, KeyValue>();
  private sub?: Subscription;
  private stale = true;
  /** Changes whenever the set of objects changes. */
  version = 0;

  constructor(private readonly cache: WatchCache, readonly prefix: string) {}

  private load(): void {
    this.sub?.close();
    this.objects.clear();
    for (const kv of this.cache.list(this.prefix)) this.objects.set(kv.key, kv);
    try {
      this.sub = this.cache.subscribe(this.prefix, this.cache.revision, (events) => {
        if (events.length === 0) {
          this.stale = true;
          return;
        }
        for (const e of events) {
          if (e.type === 'DELETED') this.objects.delete(e.key);
          else this.objects.set(e.key, e.kv);
        }
        this.version++;
      });
      this.stale = false;
    } catch {
      this.stale = true; // the cache is reloading: list again next time
    }
    this.version++;
  }

  private fresh(): Map<string, KeyValue> {
    if (this.stale) this.load();
    return this.objects;
  }

  get(key: string): KObject | undefined {
    const kv = this.fresh().get(key);
    return kv && decodeShared(kv);
  }

  *values(): IterableIterator<KObject> {
    for (const kv of this.fresh().values()) yield decodeShared(kv);
  }

  /** Brings the view up to date (and bumps version if it had to re-list). */
  touch(): void {
    this.fresh();
  }

  close(): void {
    this.sub?.close();
    this.sub = undefined;
    this.stale = true;
  }
}
