/**
 * apply/schema-types: how structured-merge-diff sees a schema node. Turns the project's OpenAPI
 * facts into one of: scalar, atomic (a single leaf: atomic lists and maps, free-form JSON),
 * granular map/struct (recurse by field name) or associative list (recurse by key or by value).
 *
 * Lists without x-kubernetes-list-type follow upstream's conversion: patch strategy "merge" with a
 * merge key is a keyed list, "merge" without one a set, anything else atomic.
 * A root of `undefined` means "no schema known" and uses upstream's deduced type: maps are
 * granular, lists atomic, everything else scalar.
 */
import { resolve, type SchemaNode } from '../../api/schema.js';
import { goJson, type PathElement } from './field-set.js';

/** A schema node, or 'deduced' (no schema: infer from the value), or 'atomic' (unknown field). */
export type TypeRef = SchemaNode | 'deduced' | 'atomic';

export type TypeInfo =
  | { kind: 'scalar' }
  | { kind: 'atomic' }
  | {
      kind: 'map';
      /** Declared fields of a struct; undefined for a plain map. */
      fields: Record<string, SchemaNode> | undefined;
      required: readonly string[];
      /** Type of undeclared keys; undefined when the struct allows none. */
      elem: TypeRef | undefined;
    }
  | { kind: 'list'; keys: readonly string[] | undefined; items: TypeRef };

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const ATOMIC: TypeInfo = { kind: 'atomic' };
const SCALAR: TypeInfo = { kind: 'scalar' };
const DEDUCED_MAP: TypeInfo = { kind: 'map', fields: undefined, required: [], elem: 'deduced' };

/** Types of schema nodes, computed once per node (schemas are never changed once loaded). */
const typeCache = new WeakMap<SchemaNode, TypeInfo>();

/**
 * The type of a node; for 'deduced' the value (if any) decides. The result is shared between
 * calls: treat it as read-only.
 */
export function typeOf(ref: TypeRef, value?: unknown): TypeInfo {
  if (ref === 'atomic') return ATOMIC;
  if (ref === 'deduced') {
    if (isObject(value)) return DEDUCED_MAP;
    if (Array.isArray(value)) return ATOMIC;
    // Without a value (walking a field set) a deduced node can only be a map.
    return value === undefined ? DEDUCED_MAP : SCALAR;
  }
  if (typeof ref !== 'object' || ref === null) return schemaType(ref); // outside the type; as resolve() sees it
  let t = typeCache.get(ref);
  if (t === undefined) {
    t = schemaType(ref);
    typeCache.set(ref, t);
  }
  return t;
}

function schemaType(ref: SchemaNode): TypeInfo {
  const r = resolve(ref) ?? {};
  if (r.type === 'array' || r.items) {
    const rel = listRelationship(r);
    if (rel === 'atomic') return ATOMIC;
    return { kind: 'list', keys: rel === 'set' ? undefined : rel, items: r.items ?? 'atomic' };
  }
  const ap = r.additionalProperties;
  if (r.properties) {
    if (r['x-kubernetes-map-type'] === 'atomic') return ATOMIC;
    return {
      kind: 'map',
      fields: r.properties,
      required: r.required ?? [],
      elem: typeof ap === 'object' ? ap : ap === true ? 'atomic' : undefined,
    };
  }
  if (typeof ap === 'object') {
    if (r['x-kubernetes-map-type'] === 'atomic') return ATOMIC;
    return { kind: 'map', fields: undefined, required: [], elem: ap };
  }
  if (r.type === 'object' || r.type === undefined) return ATOMIC; // free-form JSON
  return SCALAR;
}

function listRelationship(r: SchemaNode): 'atomic' | 'set' | string[] {
  switch (r['x-kubernetes-list-type']) {
    case 'atomic':
      return 'atomic';
    case 'set':
      return 'set';
    case 'map':
      return r['x-kubernetes-list-map-keys'] ?? [];
  }
  const strategy = r['x-kubernetes-patch-strategy'];
  if (strategy === 'merge' || strategy === 'merge,retainKeys') {
    const key = r['x-kubernetes-patch-merge-key'];
    return key ? [key] : 'set';
  }
  return 'atomic';
}

/** Type of a map entry, and whether it is a declared struct field. */
export function fieldType(t: TypeInfo & { kind: 'map' }, name: string): { ref: TypeRef; declared: boolean } {
  const f = t.fields?.[name];
  if (f) return { ref: f, declared: true };
  return { ref: t.elem ?? 'atomic', declared: false };
}

export class FieldPathError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'FieldPathError';
  }
}

/** A default for a list-map key the item omits (the schema's, else protocol: TCP as upstream defaults it). */
function keyDefault(items: TypeRef, key: string): unknown {
  if (items !== 'atomic' && items !== 'deduced') {
    const f = resolve(items)?.properties?.[key] as (SchemaNode & { default?: unknown }) | undefined;
    if (f && f.default !== undefined) return f.default;
  }
  if (key === 'protocol') return 'TCP';
  return undefined;
}

/** Per keyed list type: its key fields sorted by name, their JSON spelling, and their defaults. */
interface KeyPlan {
  names: string[];
  prefixes: string[];
  defaults: unknown[];
}

const keyPlans = new WeakMap<TypeInfo, KeyPlan>();

function keyPlan(t: TypeInfo & { kind: 'list' }, keys: readonly string[]): KeyPlan {
  let p = keyPlans.get(t);
  if (p === undefined) {
    const names = [...new Set(keys)].sort(compareStrings);
    p = { names, prefixes: names.map((k) => `${goJson(k)}:`), defaults: names.map((k) => keyDefault(t.items, k)) };
    keyPlans.set(t, p);
  }
  return p;
}

/** The path element naming one item of an associative list. Throws FieldPathError like upstream. */
export function listItemElement(t: TypeInfo & { kind: 'list' }, item: unknown, index: number, where: string): PathElement {
  return listItem(t, item, index, where)[1];
}

/**
 * One item of an associative list: its serialized element (as serializeElement spells it) and
 * the element. `where` names the list for errors; it is only turned into a string for one.
 */
export function listItem(
  t: TypeInfo & { kind: 'list' },
  item: unknown,
  index: number,
  where: string | { toString(): string },
): [string, PathElement] {
  if (t.keys) {
    if (t.keys.length === 0) return [`i:${index}`, { index }];
    if (!isObject(item)) {
      throw new FieldPathError(String(where), 'associative list with keys has an element that is not a map type');
    }
    const plan = keyPlan(t, t.keys);
    const n = plan.names.length;
    const fields: Array<readonly [string, unknown]> = new Array(n);
    let s = 'k:{';
    for (let i = 0; i < n; i++) {
      const k = plan.names[i]!;
      let v = item[k];
      if (v === undefined) v = plan.defaults[i];
      if (v === undefined) throw missingKey(t.keys, plan, item, String(where));
      fields[i] = [k, v];
      if (i > 0) s += ',';
      s += plan.prefixes[i]! + goJson(v);
    }
    return [s + '}', { key: fields }];
  }
  if (isObject(item)) throw new FieldPathError(String(where), "associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new FieldPathError(String(where), 'not supported: associative list with lists as elements');
  if (item === null) throw new FieldPathError(String(where), "associative list without keys has an element that's an explicit null");
  return [`v:${goJson(item)}`, { value: item }];
}

/** The error for the first key field (in the schema's order) an item omits without a default. */
function missingKey(keys: readonly string[], plan: KeyPlan, item: Record<string, unknown>, where: string): FieldPathError {
  const k = keys.find((k) => item[k] === undefined && plan.defaults[plan.names.indexOf(k)] === undefined)!;
  return new FieldPathError(
    where,
    `associative list with keys has an element that omits key field "${k}" (and doesn't have default value)`,
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
