/**
 * apply/typed-value: schema-driven walks over JSON objects, after structured-merge-diff's typed
 * package: the field set an object sets, comparing two objects, merging an applied configuration
 * into a live object, and removing a set of paths from an object.
 */
import { FieldSet, pathToString, type PathElement } from './field-set.js';
import { FieldPathError, fieldType, isObject, listItem, typeOf, type TypeInfo, type TypeRef } from './schema-types.js';

export type { TypeRef } from './schema-types.js';

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * A position in a walk: the path from the root as a chain of serialized elements. Insertions
 * build the nested levels of up to three sets lazily, so no path is ever copied or re-serialized
 * and sets only get the levels something is inserted below.
 */
class Cursor {
  private n0: FieldSet | undefined;
  private n1: FieldSet | undefined;
  private n2: FieldSet | undefined;

  constructor(
    private readonly sets: readonly FieldSet[],
    readonly parent: Cursor | undefined,
    /** The serialized element; for a field, `pe` may be left out and is made from it. */
    readonly key: string,
    private pe?: PathElement,
  ) {}

  static root(...sets: FieldSet[]): Cursor {
    return new Cursor(sets, undefined, '');
  }

  field(name: string): Cursor {
    return new Cursor(this.sets, this, `f:${name}`);
  }

  item(key: string, pe: PathElement): Cursor {
    return new Cursor(this.sets, this, key, pe);
  }

  element(): PathElement {
    return (this.pe ??= { field: this.key.slice(2) });
  }

  /** The level below this path in set i. */
  private node(i: number): FieldSet {
    if (!this.parent) return this.sets[i]!;
    let n = i === 0 ? this.n0 : i === 1 ? this.n1 : this.n2;
    if (n === undefined) {
      n = this.parent.node(i).childFor(this.key, this.pe);
      if (i === 0) this.n0 = n;
      else if (i === 1) this.n1 = n;
      else this.n2 = n;
    }
    return n;
  }

  /** Adds this path to set i (the empty root path is never a member). */
  insert(i: number): void {
    if (this.parent) this.parent.node(i).addMemberKey(this.key, this.pe);
  }

  toString(): string {
    const pes: PathElement[] = [];
    for (let c: Cursor | undefined = this; c?.parent; c = c.parent) pes.push(c.element());
    return pathToString(pes.reverse());
  }
}

interface ItemIndex {
  elements: PathElement[];
  keys: string[];
  byKey: Map<string, unknown>;
}

function indexItems(
  t: TypeInfo & { kind: 'list' },
  items: readonly unknown[],
  at: Cursor,
  allowDuplicates: boolean,
): ItemIndex {
  const elements: PathElement[] = [];
  const keys: string[] = [];
  const byKey = new Map<string, unknown>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const [k, pe] = listItem(t, item, i, at);
    if (byKey.has(k)) {
      if (!allowDuplicates) throw new FieldPathError(at.toString(), `duplicate entries for key ${pathToString([pe])}`);
    } else {
      byKey.set(k, item);
    }
    elements.push(pe);
    keys.push(k);
  }
  return { elements, keys, byKey };
}

function isEmptyObject(o: Record<string, unknown>): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * The fields an object sets (upstream ToFieldSet): every scalar and atomic leaf, every list item
 * of an associative list, every entry of a plain map, and every field whose value is null or {}.
 * Struct fields that merely contain other fields are not members themselves.
 */
export function fieldsOf(obj: unknown, root: TypeRef): FieldSet {
  const set = new FieldSet();
  walkFields(obj, root, Cursor.root(set));
  return set;
}

function walkFields(value: unknown, ref: TypeRef, at: Cursor): void {
  const t = typeOf(ref, value);
  switch (t.kind) {
    case 'scalar':
    case 'atomic':
      at.insert(0);
      return;
    case 'list': {
      if (!Array.isArray(value)) {
        if (value !== null && value !== undefined) at.insert(0);
        return;
      }
      const idx = indexItems(t, value, at, false);
      for (let i = 0; i < value.length; i++) {
        const c = at.item(idx.keys[i]!, idx.elements[i]!);
        walkFields(value[i], t.items, c);
        c.insert(0);
      }
      return;
    }
    case 'map': {
      if (!isObject(value)) {
        if (value !== null && value !== undefined) at.insert(0);
        return;
      }
      for (const k of Object.keys(value)) {
        const v = value[k];
        if (v === undefined) continue;
        const declaredRef = t.fields?.[k]; // as fieldType, without allocating
        const childRef: TypeRef = declaredRef || (t.elem ?? 'atomic');
        const declared = !!declaredRef;
        const c = at.field(k);
        walkFields(v, childRef, c);
        if (v === null || !declared || (isObject(v) && isEmptyObject(v))) c.insert(0);
      }
    }
  }
}

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

const ADDED = 0;
const REMOVED = 1;
const MODIFIED = 2;

/**
 * Compares two objects (upstream TypedValue.Compare): leaves that appear, disappear or change,
 * plus maps, lists and items that appear or disappear. With `fromZero`, a missing lhs is the
 * kind's zero value: its struct fields (and required lists) count as already present, as they do
 * for a freshly constructed Go object on create.
 */
export function compareObjects(lhs: unknown, rhs: unknown, root: TypeRef, opts: { fromZero?: boolean } = {}): Comparison {
  const c: Comparison = { added: new FieldSet(), removed: new FieldSet(), modified: new FieldSet() };
  const zero = opts.fromZero ?? false;
  walkCompare(zero && lhs === undefined ? {} : lhs, rhs, root, Cursor.root(c.added, c.removed, c.modified), zero);
  return c;
}

function allUndefined(o: Record<string, unknown>): boolean {
  for (const k in o) if (o[k] !== undefined) return false;
  return true;
}

function walkCompare(lhs: unknown, rhs: unknown, ref: TypeRef, at: Cursor, zero: boolean): void {
  const t = typeOf(ref, rhs !== undefined ? rhs : lhs);
  if (t.kind === 'scalar' || t.kind === 'atomic') return compareLeaf(lhs, rhs, at);
  if (t.kind === 'list') {
    if (!(lhs === undefined || lhs === null || Array.isArray(lhs)) || !(rhs === undefined || rhs === null || Array.isArray(rhs))) {
      return compareLeaf(lhs, rhs, at);
    }
    const l = Array.isArray(lhs) ? lhs : [];
    const r = Array.isArray(rhs) ? rhs : [];
    if (l.length === 0 && r.length === 0) return compareLeaf(lhs, rhs, at);
    const li = indexItems(t, l, at, true);
    const ri = indexItems(t, r, at, true);
    const seen = new Set<string>();
    for (let i = 0; i < li.keys.length; i++) {
      const k = li.keys[i]!;
      if (seen.has(k)) continue;
      seen.add(k);
      walkCompare(li.byKey.get(k), ri.byKey.get(k), t.items, at.item(k, li.elements[i]!), false);
    }
    for (let i = 0; i < ri.keys.length; i++) {
      const k = ri.keys[i]!;
      if (seen.has(k)) continue;
      seen.add(k);
      walkCompare(li.byKey.get(k), ri.byKey.get(k), t.items, at.item(k, ri.elements[i]!), false);
    }
    return comparePost(lhs, rhs, at);
  }
  if (!(lhs === undefined || lhs === null || isObject(lhs)) || !(rhs === undefined || rhs === null || isObject(rhs))) {
    return compareLeaf(lhs, rhs, at);
  }
  const l = isObject(lhs) ? lhs : {};
  const r = isObject(rhs) ? rhs : {};
  if (allUndefined(l) && allUndefined(r)) return compareLeaf(lhs, rhs, at);
  for (const k of Object.keys(l)) compareField(l, r, k, t, at, zero);
  for (const k of Object.keys(r)) if (!Object.prototype.hasOwnProperty.call(l, k)) compareField(l, r, k, t, at, zero);
  return comparePost(lhs, rhs, at);
}

function compareField(l: Record<string, unknown>, r: Record<string, unknown>, k: string, t: TypeInfo & { kind: 'map' }, at: Cursor, zero: boolean): void {
  let lv = l[k];
  const rv = r[k];
  if (lv === undefined && rv === undefined) return;
  const declaredRef = t.fields?.[k]; // as fieldType, without allocating
  const childRef: TypeRef = declaredRef || (t.elem ?? 'atomic');
  const declared = !!declaredRef;
  let childZero = false;
  if (zero && lv === undefined && declared) {
    if (rv === undefined) return;
    const ct = typeOf(childRef);
    if (ct.kind === 'map' && ct.fields !== undefined) {
      lv = {};
      childZero = true;
    } else if (ct.kind === 'list' && t.required.includes(k)) {
      lv = null;
    }
  }
  walkCompare(lv, rv, childRef, at.field(k), childZero);
}

function compareLeaf(lhs: unknown, rhs: unknown, at: Cursor): void {
  if (lhs === undefined) at.insert(ADDED);
  else if (rhs === undefined) at.insert(REMOVED);
  else if (!deepEqual(lhs, rhs)) at.insert(MODIFIED);
}

function comparePost(lhs: unknown, rhs: unknown, at: Cursor): void {
  if (lhs === undefined) at.insert(ADDED);
  else if (rhs === undefined) at.insert(REMOVED);
}

/**
 * Merges an applied configuration into a live object (upstream TypedValue.Merge): the config wins
 * at leaves, maps merge by key, associative lists merge by item key keeping live-only items in
 * place, and atomic values are replaced whole.
 */
export function mergeObjects(lhs: unknown, rhs: unknown, root: TypeRef): unknown {
  return walkMerge(lhs, rhs, root, Cursor.root());
}

function walkMerge(lhs: unknown, rhs: unknown, ref: TypeRef, at: Cursor): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const t = typeOf(ref, rhs);
  if (t.kind === 'list' && Array.isArray(lhs) && Array.isArray(rhs)) {
    if (lhs.length === 0 && rhs.length === 0) return rhs;
    return mergeList(t, lhs, rhs, at);
  }
  if (t.kind === 'map' && isObject(lhs) && isObject(rhs)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(lhs)) mergeField(lhs, rhs, k, t, at, out);
    for (const k of Object.keys(rhs)) if (!Object.prototype.hasOwnProperty.call(lhs, k)) mergeField(lhs, rhs, k, t, at, out);
    return out;
  }
  return rhs;
}

function mergeField(
  lhs: Record<string, unknown>,
  rhs: Record<string, unknown>,
  k: string,
  t: TypeInfo & { kind: 'map' },
  at: Cursor,
  out: Record<string, unknown>,
): void {
  const v = walkMerge(lhs[k], rhs[k], fieldType(t, k).ref, at.field(k));
  if (v !== undefined) out[k] = v;
}

/** Upstream's list merge order: the config's order for its items, live-only items kept where they were. */
function mergeList(t: TypeInfo & { kind: 'list' }, lhs: unknown[], rhs: unknown[], at: Cursor): unknown[] {
  const li = indexItems(t, lhs, at, true);
  const ri = indexItems(t, rhs, at, false);
  const shared = ri.keys.filter((k) => li.byKey.has(k));
  let sharedAt = 0;
  let nextShared: string | undefined = shared[sharedAt++];
  const advance = (): void => {
    nextShared = shared[sharedAt++];
  };
  const merged = new Set<string>();
  const out: unknown[] = [];
  const emit = (k: string, pe: PathElement): void => {
    merged.add(k);
    const v = walkMerge(li.byKey.get(k), ri.byKey.get(k), t.items, at.item(k, pe));
    if (v !== undefined) out.push(v);
  };
  let l = 0;
  let r = 0;
  while (l < li.keys.length || r < ri.keys.length) {
    if (l < li.keys.length && r < ri.keys.length) {
      const k = li.keys[l]!;
      if (k === ri.keys[r]) {
        emit(k, li.elements[l]!);
        l++;
        r++;
        advance();
        continue;
      }
      if (ri.byKey.has(k) && nextShared !== undefined && nextShared !== k) {
        l++;
        continue;
      }
    }
    if (l < li.keys.length) {
      const k = li.keys[l]!;
      if (!ri.byKey.has(k)) {
        out.push(lhs[l]);
        l++;
        continue;
      }
      if (merged.has(k)) {
        l++;
        continue;
      }
    }
    if (r < ri.keys.length) {
      const k = ri.keys[r]!;
      emit(k, ri.elements[r]!);
      r++;
      if (nextShared === k) advance();
    }
  }
  return out;
}

/**
 * Removes the member paths of `set` (with everything below them) from an object (upstream
 * RemoveItems). Atomic values are never entered. A map or list left empty becomes null.
 */
export function removeItems(value: unknown, set: FieldSet, root: TypeRef): unknown {
  if (set.isEmpty()) return value;
  const t = typeOf(root, value);
  if (t.kind === 'list') {
    if (!Array.isArray(value) || value.length === 0) return value;
    const out: unknown[] = [];
    value.forEach((item, i) => {
      let k: string;
      try {
        k = listItem(t, item, i, '')[0];
      } catch {
        out.push(item);
        return;
      }
      if (set.hasMemberKey(k)) return;
      const sub = set.childAt(k);
      out.push(sub ? removeItems(item, sub, t.items) : item);
    });
    return out.length > 0 ? out : null;
  }
  if (t.kind === 'map') {
    if (!isObject(value) || Object.keys(value).length === 0) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = `f:${k}`;
      if (set.hasMemberKey(key)) continue;
      const sub = set.childAt(key);
      out[k] = sub ? removeItems(v, sub, fieldType(t, k).ref) : v;
    }
    return Object.keys(out).length > 0 ? out : null;
  }
  return value;
}

/**
 * Adds as members the declared struct fields that have members below them (upstream
 * EnsureNamedFieldsAreMembers), so that removing them removes the struct field too.
 * Map entries and list items are left as they are.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, root: TypeRef): FieldSet {
  const out = new FieldSet();
  const t = typeOf(root);
  set.forEachEntry((key, pe, member, sub) => {
    if (member) out.addMemberKey(key, pe);
    if (!sub) return;
    let childRef: TypeRef = 'atomic';
    if (t.kind === 'map' && 'field' in pe) {
      const ft = fieldType(t, pe.field);
      childRef = ft.ref;
      if (ft.declared) out.addMemberKey(key, pe);
    } else if (t.kind === 'list') {
      childRef = t.items;
    }
    out.setChildKey(key, pe, ensureNamedFieldsAreMembers(sub, childRef));
  });
  return out;
}

/** Drops null-valued map entries everywhere (a typed Go object would not keep them). */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = dropNulls(v);
    return out;
  }
  return value;
}
