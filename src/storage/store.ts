/**
 * storage/store: the Store contract every backend implements (sqlite, etcd). One global
 * revision counter; every write gets the next revision. Values are opaque strings (the API
 * server stores JSON). Only apiserver/ and server/ may import storage/.
 */

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (its current incarnation). */
  createRevision: number;
  /** Revision of the last write to this key. Used as the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Key prefix, e.g. "/registry/pods/default/". */
  prefix: string;
  /** Read the state as of this revision (0 or undefined: current). */
  revision?: number;
  /** At most this many items (0 or undefined: no limit). */
  limit?: number;
  /** Start strictly after this key (pagination). */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True if more items match after the last one returned. */
  more: boolean;
  /** How many matching items were not returned, when the backend knows it. */
  remaining?: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For put: the new value. For delete: the key with modRevision = the delete's revision and the last value. */
  kv: KeyValue;
  /** The previous value, when there was one. */
  prev?: KeyValue;
  /** The revision of this event (kv.modRevision). */
  revision: number;
}

export interface Watcher {
  /** Stops the watch; no more callbacks after it resolves. */
  close(): Promise<void>;
}

export interface WatchHandlers {
  /**
   * Events in revision order, never skipping one that matches the prefix. Called
   * asynchronously, never from inside a write call; must not block (a consumer that cannot keep
   * up buffers on its own side). Throwing ends the watch with that error.
   */
  onEvents(events: WatchEvent[]): void;
  /** The watch has ended with an error (e.g. CompactedError); no further events follow. */
  onError(err: Error): void;
}

export interface Store {
  /** Current value of key, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  list(opts: ListOptions): Promise<ListResult>;
  /** Counts keys under a prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /** Creates key; throws KeyExistsError if it exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replaces key if its modRevision equals expected; throws ConflictError or NotFoundError. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Deletes key (if expectedModRevision given, only at that revision); throws NotFoundError or
   * ConflictError. Returns the deleted key-value as it was last written (its modRevision is
   * that write's, as with etcd's prevKv); the delete itself gets the next revision.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /**
   * Delivers every event under prefix with revision > afterRevision (afterRevision may be ahead
   * of the store: the watch then waits). Throws CompactedError from watch() itself if
   * afterRevision < compactedRevision(); errors after that (compaction while catching up,
   * WatchOverflowError, UnavailableError, store closed) end the watch through onError.
   */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Promise<Watcher>;
  /** The latest revision of the store. */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (history before it is gone); 0 if never compacted. */
  compactedRevision(): Promise<number>;
  /**
   * Drops history older than revision: the state at revision stays readable, as do all later
   * events. A revision at or below the compacted one is a no-op; one above the current
   * revision throws FutureRevisionError.
   */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string, readonly key?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
export class KeyExistsError extends StoreError {}
export class NotFoundError extends StoreError {}
/** The expected revision did not match the key's current modRevision. */
export class ConflictError extends StoreError {}
/** The requested revision has been compacted away. */
export class CompactedError extends StoreError {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (oldest available ${compacted})`);
  }
}
/** The requested revision is newer than the store's current revision. */
export class FutureRevisionError extends StoreError {
  constructor(readonly requested: number, readonly current: number) {
    super(`required revision ${requested} is in the future (current ${current})`);
  }
}
/** The backend cannot be reached or failed. */
export class UnavailableError extends StoreError {}
/**
 * A watcher fell too far behind the writers and was ended so it would not hold them up. The
 * caller can watch again from the last revision it saw (or re-list if that is compacted).
 */
export class WatchOverflowError extends StoreError {}

export interface StoreFactoryOptions {
  dataDir: string;
  etcdEndpoints?: string[];
}
export type StoreFactory = (opts: StoreFactoryOptions) => Promise<Store>;
