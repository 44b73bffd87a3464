/**
 * apply/field-set: sets of field paths (structured-merge-diff's fieldpath.Set) and their wire
 * form, the `fieldsV1` JSON of `metadata.managedFields[].fieldsV1`.
 *
 * A path is a list of path elements: a field of a map or struct (`f:name`), an item of a list
 * with map keys (`k:{"containerPort":80,"protocol":"TCP"}`, key fields sorted by name), an item
 * of a set (`v:"value"`) or a list index (`i:3`). A set holds member paths; a path may be a
 * member and also have member descendants (written with a `"."` entry in fieldsV1).
 */

export type PathElement =
  | { readonly field: string }
  /** Key fields, sorted by name. */
  | { readonly key: ReadonlyArray<readonly [string, unknown]> }
  | { readonly value: unknown }
  | { readonly index: number };

export type Path = readonly PathElement[];

/** The JSON object stored in `metadata.managedFields[].fieldsV1`. */
export type FieldsV1 = { [element: string]: FieldsV1 };

/** Go's encoding/json output for plain JSON data: sorted map keys, HTML-safe escaping. */
export function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** A key path element from a record of key field values (sorted by field name). */
export function keyElement(fields: Record<string, unknown>): PathElement {
  return { key: Object.keys(fields).sort(compareStrings).map((k) => [k, fields[k]] as const) };
}

/** The fieldsV1 spelling of one path element (`f:name`, `k:{...}`, `v:...`, `i:N`). */
export function serializeElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses a fieldsV1 key; undefined for prefixes this version does not know (upstream skips them). */
export function parseElement(s: string): PathElement | undefined {
  const body = s.slice(2);
  switch (s.slice(0, 2)) {
    case 'f:':
      return { field: body };
    case 'k:': {
      const obj = JSON.parse(body) as unknown;
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`invalid key path element ${s}`);
      return keyElement(obj as Record<string, unknown>);
    }
    case 'v:':
      return { value: JSON.parse(body) as unknown };
    case 'i:': {
      const n = Number(body);
      if (!Number.isInteger(n)) throw new Error(`invalid index path element ${s}`);
      return { index: n };
    }
    default:
      return undefined;
  }
}

/** Human form used in conflict messages: `.spec.containers[name="nginx"].image`. */
export function elementToString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueToString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueToString(pe.value)}]`;
  return `[${pe.index}]`;
}

export function pathToString(path: Path): string {
  return path.map(elementToString).join('');
}

function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${k}=${valueToString((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return String(v);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function typeRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5; // null
}

/** Upstream's total order on values: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) - (b as number);
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return Number(a) - Number(b);
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 4: {
      const fa = Object.keys(a as object).sort().map((k) => [k, (a as Record<string, unknown>)[k]] as const);
      const fb = Object.keys(b as object).sort().map((k) => [k, (b as Record<string, unknown>)[k]] as const);
      return compareFieldLists(fa, fb);
    }
    default:
      return 0;
  }
}

function compareFieldLists(
  a: ReadonlyArray<readonly [string, unknown]>,
  b: ReadonlyArray<readonly [string, unknown]>,
): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareStrings(a[i]![0], b[i]![0]) || compareValues(a[i]![1], b[i]![1]);
    if (c !== 0) return c;
  }
}

function elementRank(pe: PathElement): number {
  return 'field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3;
}

/** Upstream's order on path elements: fields (by name), then keys, then values, then indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field);
  if ('key' in a && 'key' in b) return compareFieldLists(a.key, b.key);
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index - b.index;
  return 0;
}

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

/**
 * A set of paths. Mutating methods (insert) are for building; set algebra returns new sets.
 * Invariant: no stored child set is empty.
 */
export class FieldSet {
  /** Member elements at this level, by serialized element. */
  private readonly members = new Map<string, PathElement>();
  /** Subsets below elements at this level, by serialized element. */
  private readonly children = new Map<string, Child>();

  static fromPaths(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Parses a fieldsV1 object. An entry whose value is `{}` (or holds `"."`) is a member. */
  static fromFieldsV1(json: FieldsV1 | null | undefined): FieldSet {
    const s = new FieldSet();
    if (json === null || json === undefined) return s;
    if (typeof json !== 'object' || Array.isArray(json)) throw new Error('fieldsV1 must be a JSON object');
    for (const [k, v] of Object.entries(json)) {
      if (k === '.') continue;
      const pe = parseElement(k);
      if (!pe) continue;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`fieldsV1 entry ${k} must be an object`);
      const entries = Object.keys(v);
      if (entries.length === 0 || entries.includes('.')) s.members.set(serializeElement(pe), pe);
      const sub = FieldSet.fromFieldsV1(v);
      if (!sub.isEmpty()) s.children.set(serializeElement(pe), { pe, set: sub });
    }
    return s;
  }

  /** The fieldsV1 object, entries in upstream's order. */
  toFieldsV1(): FieldsV1 {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): FieldsV1 {
    const out: FieldsV1 = {};
    if (includeSelf && !this.isEmpty()) out['.'] = {};
    const names = new Map<string, PathElement>();
    for (const [k, pe] of this.members) names.set(k, pe);
    for (const [k, c] of this.children) names.set(k, c.pe);
    const sorted = [...names].sort((a, b) => compareElements(a[1], b[1]));
    for (const [k] of sorted) {
      const child = this.children.get(k);
      out[k] = child ? child.set.emit(this.members.has(k)) : {};
    }
    return out;
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  insert(path: Path): this {
    if (path.length === 0) return this;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    const k = serializeElement(head);
    if (rest.length === 0) {
      this.members.set(k, head);
    } else {
      let c = this.children.get(k);
      if (!c) {
        c = { pe: head, set: new FieldSet() };
        this.children.set(k, c);
      }
      c.set.insert(rest);
    }
    return this;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const k = serializeElement(path[0]!);
    if (path.length === 1) return this.members.has(k);
    return this.children.get(k)?.set.has(path.slice(1)) ?? false;
  }

  /** True when the single element is a member at this level. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(serializeElement(pe));
  }

  /** The subset below one element (paths relative to it), or undefined when there is none. */
  withPrefix(pe: PathElement): FieldSet | undefined {
    return this.children.get(serializeElement(pe))?.set;
  }

  /** Member elements at this level. */
  memberElements(): PathElement[] {
    return [...this.members.values()];
  }

  /** Elements at this level that have descendants. */
  childElements(): PathElement[] {
    return [...this.children.values()].map((c) => c.pe);
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.union(o.set) : c.set });
    }
    for (const [k, c] of other.children) if (!this.children.has(k)) out.children.set(k, c);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const sub = c.set.intersection(o.set);
      if (!sub.isEmpty()) out.children.set(k, { pe: c.pe, set: sub });
    }
    return out;
  }

  /** Paths of this set that are not (exactly) paths of the other. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const sub = o ? c.set.difference(o.set) : c.set;
      if (!sub.isEmpty()) out.children.set(k, { pe: c.pe, set: sub });
    }
    return out;
  }

  /** Paths of this set that neither are, nor lie below, a member of the other. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      const sub = o ? c.set.recursiveDifference(o.set) : c.set;
      if (!sub.isEmpty()) out.children.set(k, { pe: c.pe, set: sub });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this.members.size !== other.members.size || this.children.size !== other.children.size) return false;
    for (const k of this.members.keys()) if (!other.members.has(k)) return false;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o || !c.set.equals(o.set)) return false;
    }
    return true;
  }

  /** All member paths: this level's members (sorted), then each child's paths (sorted), as upstream iterates. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]): void => {
      for (const pe of [...s.members.values()].sort(compareElements)) out.push([...prefix, pe]);
      for (const c of [...s.children.values()].sort((a, b) => compareElements(a.pe, b.pe))) {
        walk(c.set, [...prefix, c.pe]);
      }
    };
    walk(this, []);
    return out;
  }

  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size();
    return n;
  }

  /** Adds members at this level (used by the schema-aware helpers). */
  addMember(pe: PathElement): void {
    this.members.set(serializeElement(pe), pe);
  }

  /** Replaces the subset below an element (empty subsets are dropped). */
  setChild(pe: PathElement, set: FieldSet): void {
    const k = serializeElement(pe);
    if (set.isEmpty()) this.children.delete(k);
    else this.children.set(k, { pe, set });
  }
}
