/**
 * Objects as stored and as served. The stored form never carries a resourceVersion: it is the
 * revision of the write (modRevision), set on the way out, as upstream does.
 */
import type { KeyValue } from '../../storage/store.js';

export type KObject = Record<string, any> & { metadata: Record<string, any> };

export function encode(obj: KObject): string {
  const { resourceVersion: _rv, selfLink: _sl, ...meta } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata: meta });
}

const parsed = new WeakMap<KeyValue, KObject>();

/** The object stored in kv, with its resourceVersion. Cached per kv; callers must not mutate it. */
export function decodeShared(kv: KeyValue): KObject {
  let obj = parsed.get(kv);
  if (!obj) {
    obj = JSON.parse(kv.value) as KObject;
    obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(kv.modRevision) };
    parsed.set(kv, obj);
  }
  return obj;
}

const serialized = new WeakMap<KeyValue, string>();

/**
 * The object stored in kv as served JSON (with its resourceVersion), serialized once per kv and
 * shared by every list and watch that sends it.
 */
export function jsonOf(kv: KeyValue): string {
  let s = serialized.get(kv);
  if (s === undefined) {
    s = JSON.stringify(decodeShared(kv));
    serialized.set(kv, s);
  }
  return s;
}

/** A private, mutable copy of the object stored in kv. */
export function decode(kv: KeyValue): KObject {
  const obj = JSON.parse(kv.value) as KObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(kv.modRevision) };
  return obj;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** JSON with object keys sorted: equal for semantically equal objects whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}
