/**
 * A Store that encrypts the values of configured resources on the way in and decrypts them on the
 * way out (get, list, watch events, the results of writes), so everything above it sees plain
 * JSON and nothing below it (SQLite file and WAL, etcd) sees the plain text. Keys stay readable.
 */
import type {
  KeyValue, ListOptions, ListResult, Store, WatchEvent, Watcher, WatchHandlers,
} from '../store.js';
import { StoreError } from '../store.js';
import type { EncryptionConfig, EncryptionRule } from './config.js';
import { EncryptionError, type ValueTransformer } from './providers.js';

/** `/registry/<group|core>/<plural>/...` → the rule covering that resource, if any. */
function ruleFor(config: EncryptionConfig, key: string): EncryptionRule | undefined {
  const m = /^\/registry\/([^/]+)\/([^/]+)\//.exec(key);
  if (!m) return undefined;
  const group = m[1] === 'core' ? '' : m[1]!;
  const plural = m[2]!;
  const names = new Set([group ? `${plural}.${group}` : plural, group ? `*.${group}` : '*.', '*.*']);
  return config.rules.find((r) => r.resources.some((n) => names.has(n)));
}

export class EncryptingStore implements Store {
  constructor(private readonly inner: Store, private readonly config: EncryptionConfig) {}

  /** The transformer that writes values under `key` (undefined: stored as they are). */
  writerFor(key: string): ValueTransformer | undefined {
    return ruleFor(this.config, key)?.transformers[0];
  }

  private encrypt(key: string, value: string): string {
    const t = this.writerFor(key);
    return t ? t.encrypt(value, key) : value;
  }

  /** Decrypts a stored value; values not under a rule are returned as they are. */
  decryptValue(key: string, value: string): string {
    const rule = ruleFor(this.config, key);
    if (!rule) return value;
    // Longest prefix first, so identity ('') is the fallback.
    const t = [...rule.transformers].filter((x) => value.startsWith(x.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (!t || (t.prefix === '' && value.startsWith('k8s:enc:'))) {
      throw new StoreError(`no matching prefix found to decrypt the value of ${key}`, key, { cause: new EncryptionError('no matching prefix') });
    }
    try {
      return t.decrypt(value, key);
    } catch (err) {
      throw new StoreError(`decrypt the value of ${key}: ${(err as Error).message}`, key, { cause: err });
    }
  }

  /** Whether the stored value under key was written by another transformer than the current writer. */
  isStale(key: string, stored: string): boolean {
    const w = this.writerFor(key);
    if (!w) return false;
    if (w.prefix === '') return stored.startsWith('k8s:enc:');
    return !stored.startsWith(w.prefix);
  }

  private open(kv: KeyValue): KeyValue;
  private open(kv: KeyValue | undefined): KeyValue | undefined;
  private open(kv: KeyValue | undefined): KeyValue | undefined {
    return kv && { ...kv, value: this.decryptValue(kv.key, kv.value) };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    return this.open(await this.inner.get(key));
  }

  /** The value exactly as stored (for tests and rotation). */
  getRaw(key: string): Promise<KeyValue | undefined> {
    return this.inner.get(key);
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const r = await this.inner.list(opts);
    return { ...r, items: r.items.map((kv) => this.open(kv)) };
  }

  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const kv = await this.inner.create(key, this.encrypt(key, value));
    return { ...kv, value };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const kv = await this.inner.update(key, this.encrypt(key, value), expectedModRevision);
    return { ...kv, value };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.open(await this.inner.delete(key, expectedModRevision));
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Promise<Watcher> {
    return this.inner.watch(prefix, afterRevision, {
      onEvents: (events: WatchEvent[]) => {
        handlers.onEvents(events.map((e) => {
          const out: WatchEvent = { ...e, kv: this.open(e.kv) };
          if (e.prev) out.prev = this.open(e.prev);
          return out;
        }));
      },
      onError: (err) => handlers.onError(err),
    });
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  compactedRevision(): Promise<number> {
    return this.inner.compactedRevision();
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
