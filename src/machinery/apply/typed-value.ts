/**
 * apply/typed-value: schema-driven walks over JSON objects, after structured-merge-diff's typed
 * package: the field set an object sets, comparing two objects, merging an applied configuration
 * into a live object, and removing a set of paths from an object.
 */
import { FieldSet, pathToString, serializeElement, type Path, type PathElement } from './field-set.js';
import { FieldPathError, fieldType, isObject, listItemElement, typeOf, type TypeInfo, type TypeRef } from './schema-types.js';

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

interface ItemIndex {
  elements: PathElement[];
  keys: string[];
  byKey: Map<string, unknown>;
}

function indexItems(
  t: TypeInfo & { kind: 'list' },
  items: readonly unknown[],
  path: Path,
  allowDuplicates: boolean,
): ItemIndex {
  const elements: PathElement[] = [];
  const keys: string[] = [];
  const byKey = new Map<string, unknown>();
  items.forEach((item, i) => {
    const pe = listItemElement(t, item, i, pathToString(path));
    const k = serializeElement(pe);
    if (byKey.has(k) && !allowDuplicates) {
      throw new FieldPathError(pathToString(path), `duplicate entries for key ${pathToString([pe])}`);
    }
    if (!byKey.has(k)) byKey.set(k, item);
    elements.push(pe);
    keys.push(k);
  });
  return { elements, keys, byKey };
}

/**
 * The fields an object sets (upstream ToFieldSet): every scalar and atomic leaf, every list item
 * of an associative list, every entry of a plain map, and every field whose value is null or {}.
 * Struct fields that merely contain other fields are not members themselves.
 */
export function fieldsOf(obj: unknown, root: TypeRef): FieldSet {
  const set = new FieldSet();
  walkFields(obj, root, [], set);
  return set;
}

function walkFields(value: unknown, ref: TypeRef, path: PathElement[], set: FieldSet): void {
  const t = typeOf(ref, value);
  switch (t.kind) {
    case 'scalar':
    case 'atomic':
      set.insert(path);
      return;
    case 'list': {
      if (!Array.isArray(value)) {
        if (value !== null && value !== undefined) set.insert(path);
        return;
      }
      const idx = indexItems(t, value, path, false);
      value.forEach((item, i) => {
        const p = [...path, idx.elements[i]!];
        walkFields(item, t.items, p, set);
        set.insert(p);
      });
      return;
    }
    case 'map': {
      if (!isObject(value)) {
        if (value !== null && value !== undefined) set.insert(path);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const { ref: childRef, declared } = fieldType(t, k);
        const p = [...path, { field: k }];
        walkFields(v, childRef, p, set);
        if (v === null || (isObject(v) && Object.keys(v).length === 0) || !declared) set.insert(p);
      }
    }
  }
}

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

/**
 * Compares two objects (upstream TypedValue.Compare): leaves that appear, disappear or change,
 * plus maps, lists and items that appear or disappear. With `fromZero`, a missing lhs is the
 * kind's zero value: its struct fields (and required lists) count as already present, as they do
 * for a freshly constructed Go object on create.
 */
export function compareObjects(lhs: unknown, rhs: unknown, root: TypeRef, opts: { fromZero?: boolean } = {}): Comparison {
  const c: Comparison = { added: new FieldSet(), removed: new FieldSet(), modified: new FieldSet() };
  const zero = opts.fromZero ?? false;
  walkCompare(zero && lhs === undefined ? {} : lhs, rhs, root, [], c, zero);
  return c;
}

function walkCompare(
  lhs: unknown,
  rhs: unknown,
  ref: TypeRef,
  path: PathElement[],
  c: Comparison,
  zero: boolean,
): void {
  const leaf = (): void => {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
  };
  const post = (): void => {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  };
  const t = typeOf(ref, rhs !== undefined ? rhs : lhs);
  if (t.kind === 'scalar' || t.kind === 'atomic') return leaf();
  if (t.kind === 'list') {
    const ok = (v: unknown): boolean => v === undefined || v === null || Array.isArray(v);
    if (!ok(lhs) || !ok(rhs)) return leaf();
    const l = Array.isArray(lhs) ? lhs : [];
    const r = Array.isArray(rhs) ? rhs : [];
    if (l.length === 0 && r.length === 0) return leaf();
    const li = indexItems(t, l, path, true);
    const ri = indexItems(t, r, path, true);
    const seen = new Set<string>();
    const visit = (k: string, pe: PathElement): void => {
      if (seen.has(k)) return;
      seen.add(k);
      walkCompare(li.byKey.get(k), ri.byKey.get(k), t.items, [...path, pe], c, false);
    };
    li.keys.forEach((k, i) => visit(k, li.elements[i]!));
    ri.keys.forEach((k, i) => visit(k, ri.elements[i]!));
    return post();
  }
  const ok = (v: unknown): boolean => v === undefined || v === null || isObject(v);
  if (!ok(lhs) || !ok(rhs)) return leaf();
  const l = isObject(lhs) ? lhs : {};
  const r = isObject(rhs) ? rhs : {};
  const empty = (o: Record<string, unknown>): boolean => Object.values(o).every((v) => v === undefined);
  if (empty(l) && empty(r)) return leaf();
  const keys = new Set([...Object.keys(l), ...Object.keys(r)]);
  for (const k of keys) {
    let lv = l[k];
    const rv = r[k];
    if (lv === undefined && rv === undefined) continue;
    const { ref: childRef, declared } = fieldType(t, k);
    let childZero = false;
    if (zero && lv === undefined && declared) {
      if (rv === undefined) continue;
      const ct = typeOf(childRef);
      if (ct.kind === 'map' && ct.fields !== undefined) {
        lv = {};
        childZero = true;
      } else if (ct.kind === 'list' && t.required.includes(k)) {
        lv = null;
      }
    }
    walkCompare(lv, rv, childRef, [...path, { field: k }], c, childZero);
  }
  return post();
}

/**
 * Merges an applied configuration into a live object (upstream TypedValue.Merge): the config wins
 * at leaves, maps merge by key, associative lists merge by item key keeping live-only items in
 * place, and atomic values are replaced whole.
 */
export function mergeObjects(lhs: unknown, rhs: unknown, root: TypeRef): unknown {
  return walkMerge(lhs, rhs, root, []);
}

function walkMerge(lhs: unknown, rhs: unknown, ref: TypeRef, path: PathElement[]): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const t = typeOf(ref, rhs);
  if (t.kind === 'list' && Array.isArray(lhs) && Array.isArray(rhs)) {
    if (lhs.length === 0 && rhs.length === 0) return rhs;
    return mergeList(t, lhs, rhs, path);
  }
  if (t.kind === 'map' && isObject(lhs) && isObject(rhs)) {
    const out: Record<string, unknown> = {};
    const keys = new Set([...Object.keys(lhs), ...Object.keys(rhs)]);
    for (const k of keys) {
      const v = walkMerge(lhs[k], rhs[k], fieldType(t, k).ref, [...path, { field: k }]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return rhs;
}

/** Upstream's list merge order: the config's order for its items, live-only items kept where they were. */
function mergeList(t: TypeInfo & { kind: 'list' }, lhs: unknown[], rhs: unknown[], path: PathElement[]): unknown[] {
  const li = indexItems(t, lhs, path, true);
  const ri = indexItems(t, rhs, path, false);
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
    const v = walkMerge(li.byKey.get(k), ri.byKey.get(k), t.items, [...path, pe]);
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
      let pe: PathElement;
      try {
        pe = listItemElement(t, item, i, '');
      } catch {
        out.push(item);
        return;
      }
      if (set.hasMember(pe)) return;
      const sub = set.withPrefix(pe);
      out.push(sub ? removeItems(item, sub, t.items) : item);
    });
    return out.length > 0 ? out : null;
  }
  if (t.kind === 'map') {
    if (!isObject(value) || Object.keys(value).length === 0) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const pe = { field: k };
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
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
  for (const pe of set.memberElements()) out.addMember(pe);
  for (const pe of set.childElements()) {
    const sub = set.withPrefix(pe)!;
    let childRef: TypeRef = 'atomic';
    if (t.kind === 'map' && 'field' in pe) {
      const ft = fieldType(t, pe.field);
      childRef = ft.ref;
      if (ft.declared) out.addMember(pe);
    } else if (t.kind === 'list') {
      childRef = t.items;
    }
    out.setChild(pe, ensureNamedFieldsAreMembers(sub, childRef));
  }
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
