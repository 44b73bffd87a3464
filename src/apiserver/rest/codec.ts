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

/**
 * Objects being written, by store key: the write's result and its watch event are decoded from
 * the object instead of parsing the stored value back. The shared object made for the first kv
 * is reused for any other kv of the same write (same value and revision).
 */
const writing = new Map<string, { value: string; obj: KObject; shared?: KObject }>();

/**
 * Registers obj as the object behind value (its encoding) under key until the returned function
 * is called: call it once the store write has returned.
 */
export function writingObject(key: string, value: string, obj: KObject): () => void {
  const entry = { value, obj };
  writing.set(key, entry);
  return () => {
    if (writing.get(key) === entry) writing.delete(key);
  };
}

/** The object stored in kv, with its resourceVersion. Cached per kv; callers must not mutate it. */
export function decodeShared(kv: KeyValue): KObject {
  let obj = parsed.get(kv);
  if (!obj) {
    const rv = String(kv.modRevision);
    let w = writing.get(kv.key);
    if (w && w.value !== kv.value) w = undefined;
    if (w?.shared?.metadata.resourceVersion === rv) obj = w.shared;
    else if (w) {
      const { resourceVersion: _rv, selfLink: _sl, ...meta } = w.obj.metadata ?? {};
      obj = { ...w.obj, metadata: { ...meta, resourceVersion: rv } };
      w.shared = obj;
    } else {
      obj = JSON.parse(kv.value) as KObject;
      obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: rv };
    }
    parsed.set(kv, obj);
    if (!serialized.has(obj)) serialized.set(obj, null);
  }
  return obj;
}

/** Serializations of shared objects (those decodeShared returns), made on first use. */
const serialized = new WeakMap<KObject, string | null>();

/**
 * The object stored in kv as served JSON (with its resourceVersion), serialized once per stored
 * object and shared by every list, watch and response that sends it.
 */
export function jsonOf(kv: KeyValue): string {
  return serialize(decodeShared(kv));
}

/** JSON of obj: cached when obj is a shared (immutable) object, else made afresh. */
export function serialize(obj: KObject): string {
  const cached = serialized.get(obj);
  if (cached) return cached;
  const s = JSON.stringify(obj);
  if (cached === null) serialized.set(obj, s);
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

/**
 * Whether a and b serialize to the same canonical JSON (canonicalJson(a) === canonicalJson(b)),
 * compared in place: object key order does not matter, undefined members are absent, and an
 * undefined array element or non-finite number counts as null.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return (JSON.stringify(a) ?? 'null') === (JSON.stringify(b) ?? 'null');
  }
  const arr = Array.isArray(a);
  if (arr !== Array.isArray(b)) return false;
  if (arr) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    n++;
    if (!Object.hasOwn(y, k) || y[k] === undefined || !sameJson(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) n--;
  return n === 0;
}
