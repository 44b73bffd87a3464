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

const GO_ESCAPE = /[<>&\u2028\u2029]/;
const GO_ESCAPE_ALL = /[<>&\u2028\u2029]/g;

function goEscape(json: string): string {
  return GO_ESCAPE.test(json)
    ? json.replace(GO_ESCAPE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

/** Go's encoding/json output for plain JSON data: sorted map keys, HTML-safe escaping. */
export function goJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return goEscape(JSON.stringify(value));
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
  }
  if (value === null) return 'null';
  return JSON.stringify(sortKeys(value)).replace(GO_ESCAPE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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

/** Rank of a serialized element by its prefix: fields, keys, values, indexes (upstream's order). */
function keyRank(k: string): number {
  switch (k.charCodeAt(0)) {
    case 102: // f
      return 0;
    case 107: // k
      return 1;
    case 118: // v
      return 2;
    default: // i
      return 3;
  }
}

function elementOf(key: string, e: Entry): PathElement {
  return (e.pe ??= { field: key.slice(2) });
}

/**
 * Parsed non-field elements of fieldsV1 keys by their spelling, with their canonical spelling:
 * the same list items come back in every stored managedFields entry. Bounded: cleared when full.
 */
const parsedElements = new Map<string, readonly [string, PathElement] | null>();
const PARSED_ELEMENTS_MAX = 4096;

function parseCached(s: string): readonly [string, PathElement] | undefined {
  let r = parsedElements.get(s);
  if (r === undefined) {
    const pe = parseElement(s); // throws on a malformed key; errors are not cached
    r = pe ? [serializeElement(pe), pe] : null;
    if (parsedElements.size >= PARSED_ELEMENTS_MAX) parsedElements.clear();
    parsedElements.set(s, r);
  }
  return r ?? undefined;
}

/** One element of a level: a member, the parent of a subset, or both. */
interface Entry {
  /** Left out for a field until asked for (elementOf makes it from the key). */
  pe: PathElement | undefined;
  member: boolean;
  /** Never empty once a set is built. */
  child: FieldSet | undefined;
}

/**
 * A set of paths. Mutating methods (insert) are for building; set algebra returns new sets.
 * Each level is one Map from the serialized element (`f:name`, `k:{...}`, ...) to its entry, so
 * walks build sets without re-serializing paths, and sorting waits until toFieldsV1 or paths().
 * Invariant: no stored child set is empty. Entries are never shared between sets (subsets are).
 */
export class FieldSet {
  private readonly entries = new Map<string, Entry>();

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
    s.parseInto(json);
    return s;
  }

  private parseInto(json: FieldsV1): void {
    for (const k of Object.keys(json)) {
      if (k === '.') continue;
      let key: string;
      let pe: PathElement | undefined;
      if (k.charCodeAt(0) === 102 && k.charCodeAt(1) === 58) {
        // "f:name" is already in its canonical spelling.
        key = k;
      } else {
        const parsed = parseCached(k);
        if (!parsed) continue;
        [key, pe] = parsed;
      }
      const v = json[k] as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`fieldsV1 entry ${k} must be an object`);
      let member = false;
      let nested = false;
      for (const kk in v) {
        if (kk === '.') member = true;
        else nested = true;
      }
      if (!nested) member = true;
      let child: FieldSet | undefined;
      if (nested) {
        child = new FieldSet();
        child.parseInto(v as FieldsV1);
        if (child.entries.size === 0) child = undefined;
      }
      if (!member && !child) continue;
      const e = this.entries.get(key);
      // Two spellings of one element: members add up, a later non-empty subset replaces.
      if (e) {
        if (member) e.member = true;
        if (child) e.child = child;
      } else {
        this.entries.set(key, { pe, member, child });
      }
    }
  }

  /** The fieldsV1 object, entries in upstream's order. */
  toFieldsV1(): FieldsV1 {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): FieldsV1 {
    const out: FieldsV1 = {};
    if (includeSelf && this.entries.size > 0) out['.'] = {};
    if (this.entries.size === 1) {
      for (const [k, e] of this.entries) out[k] = e.child ? e.child.emit(e.member) : {};
      return out;
    }
    if (this.inOrder()) {
      // Sets read from fieldsV1 (and their differences) usually are in order already.
      for (const [k, e] of this.entries) out[k] = e.child ? e.child.emit(e.member) : {};
      return out;
    }
    for (const k of this.sortedKeys()) {
      const e = this.entries.get(k)!;
      out[k] = e.child ? e.child.emit(e.member) : {};
    }
    return out;
  }

  /** Orders two serialized elements of this level as compareElements orders the elements. */
  private compareKeys(a: string, b: string): number {
    const ra = keyRank(a);
    const rb = keyRank(b);
    if (ra !== rb) return ra - rb;
    // Two fields: the serialized forms share the "f:" prefix, so they order as the names do.
    if (ra === 0) return compareStrings(a, b);
    return compareElements(this.entries.get(a)!.pe!, this.entries.get(b)!.pe!);
  }

  /** True when the entries' (insertion) order is upstream's order. */
  private inOrder(): boolean {
    let prev: string | undefined;
    for (const k of this.entries.keys()) {
      if (prev !== undefined && this.compareKeys(prev, k) >= 0) return false;
      prev = k;
    }
    return true;
  }

  /** This level's serialized elements in upstream's order. */
  private sortedKeys(): string[] {
    const keys: string[] = [];
    let fieldsOnly = true;
    for (const k of this.entries.keys()) {
      if (fieldsOnly && k.charCodeAt(0) !== 102) fieldsOnly = false;
      keys.push(k);
    }
    // Fields alone order as their serialized forms do (all start with "f:"): the default sort.
    if (fieldsOnly) return keys.sort();
    return keys.sort((a, b) => this.compareKeys(a, b));
  }

  isEmpty(): boolean {
    return this.entries.size === 0;
  }

  insert(path: Path): this {
    const n = path.length;
    if (n === 0) return this;
    let s: FieldSet = this;
    for (let i = 0; i < n - 1; i++) {
      const pe = path[i]!;
      s = s.childFor(serializeElement(pe), pe);
    }
    const last = path[n - 1]!;
    s.addMemberKey(serializeElement(last), last);
    return this;
  }

  has(path: Path): boolean {
    const n = path.length;
    if (n === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < n - 1 && s; i++) s = s.entries.get(serializeElement(path[i]!))?.child;
    return s?.entries.get(serializeElement(path[n - 1]!))?.member ?? false;
  }

  /** True when the single element is a member at this level. */
  hasMember(pe: PathElement): boolean {
    return this.hasMemberKey(serializeElement(pe));
  }

  /** The subset below one element (paths relative to it), or undefined when there is none. */
  withPrefix(pe: PathElement): FieldSet | undefined {
    return this.entries.get(serializeElement(pe))?.child;
  }

  /** Member elements at this level. */
  memberElements(): PathElement[] {
    const out: PathElement[] = [];
    for (const [k, e] of this.entries) if (e.member) out.push(elementOf(k, e));
    return out;
  }

  /** Elements at this level that have descendants. */
  childElements(): PathElement[] {
    const out: PathElement[] = [];
    for (const [k, e] of this.entries) if (e.child) out.push(elementOf(k, e));
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, e] of this.entries) {
      const o = other.entries.get(k);
      if (!o) {
        out.entries.set(k, { pe: e.pe, member: e.member, child: e.child });
        continue;
      }
      const child = e.child && o.child ? e.child.union(o.child) : (e.child ?? o.child);
      out.entries.set(k, { pe: e.pe, member: e.member || o.member, child });
    }
    for (const [k, o] of other.entries) {
      if (!this.entries.has(k)) out.entries.set(k, { pe: o.pe, member: o.member, child: o.child });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    const [small, large] = this.entries.size <= other.entries.size ? [this, other] : [other, this];
    for (const [k, e] of small.entries) {
      const o = large.entries.get(k);
      if (!o) continue;
      const member = e.member && o.member;
      let child = e.child && o.child ? e.child.intersection(o.child) : undefined;
      if (child?.isEmpty()) child = undefined;
      if (member || child) out.entries.set(k, { pe: e.pe, member, child });
    }
    return out;
  }

  /** Paths of this set that are not (exactly) paths of the other. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, e] of this.entries) {
      const o = other.entries.get(k);
      if (!o) {
        out.entries.set(k, { pe: e.pe, member: e.member, child: e.child });
        continue;
      }
      const member = e.member && !o.member;
      let child = e.child && o.child ? e.child.difference(o.child) : e.child;
      if (child?.isEmpty()) child = undefined;
      if (member || child) out.entries.set(k, { pe: e.pe, member, child });
    }
    return out;
  }

  /** Paths of this set that neither are, nor lie below, a member of the other. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, e] of this.entries) {
      const o = other.entries.get(k);
      if (!o) {
        out.entries.set(k, { pe: e.pe, member: e.member, child: e.child });
        continue;
      }
      if (o.member) continue;
      let child = e.child && o.child ? e.child.recursiveDifference(o.child) : e.child;
      if (child?.isEmpty()) child = undefined;
      if (e.member || child) out.entries.set(k, { pe: e.pe, member: e.member, child });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this.entries.size !== other.entries.size) return false;
    for (const [k, e] of this.entries) {
      const o = other.entries.get(k);
      if (!o || o.member !== e.member) return false;
      if (e.child === undefined || o.child === undefined) {
        if (e.child !== o.child) return false;
      } else if (!e.child.equals(o.child)) {
        return false;
      }
    }
    return true;
  }

  /** All member paths: this level's members (sorted), then each child's paths (sorted), as upstream iterates. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]): void => {
      const sorted = s.sortedKeys().map((k) => [k, s.entries.get(k)!] as const);
      for (const [k, e] of sorted) if (e.member) out.push([...prefix, elementOf(k, e)]);
      for (const [k, e] of sorted) if (e.child) walk(e.child, [...prefix, elementOf(k, e)]);
    };
    walk(this, []);
    return out;
  }

  size(): number {
    let n = 0;
    for (const e of this.entries.values()) {
      if (e.member) n++;
      if (e.child) n += e.child.size();
    }
    return n;
  }

  /** Adds members at this level (used by the schema-aware helpers). */
  addMember(pe: PathElement): void {
    this.addMemberKey(serializeElement(pe), pe);
  }

  /** Replaces the subset below an element (empty subsets are dropped). */
  setChild(pe: PathElement, set: FieldSet): void {
    this.setChildKey(serializeElement(pe), pe, set);
  }

  // Key-based access for the walks in this package (typed-value.ts), which already hold the
  // serialized element. Not part of the package's exported API.

  /** @internal setChild by serialized element. */
  setChildKey(k: string, pe: PathElement | undefined, set: FieldSet): void {
    const e = this.entries.get(k);
    if (set.isEmpty()) {
      if (!e) return;
      if (e.member) e.child = undefined;
      else this.entries.delete(k);
    } else if (e) {
      e.child = set;
    } else {
      this.entries.set(k, { pe, member: false, child: set });
    }
  }

  /** @internal Adds a member by its serialized element. */
  addMemberKey(key: string, pe: PathElement | undefined): void {
    const e = this.entries.get(key);
    if (e) e.member = true;
    else this.entries.set(key, { pe, member: true, child: undefined });
  }

  /** @internal The subset below an element, created (empty) if missing: the caller must insert into it. */
  childFor(key: string, pe: PathElement | undefined): FieldSet {
    const e = this.entries.get(key);
    if (e) return (e.child ??= new FieldSet());
    const child = new FieldSet();
    this.entries.set(key, { pe, member: false, child });
    return child;
  }

  /** @internal */
  hasMemberKey(key: string): boolean {
    return this.entries.get(key)?.member ?? false;
  }

  /** @internal The subset below a serialized element. */
  childAt(key: string): FieldSet | undefined {
    return this.entries.get(key)?.child;
  }

  /** @internal Calls f for each entry of this level, in no particular order. */
  forEachEntry(f: (key: string, pe: PathElement, member: boolean, child: FieldSet | undefined) => void): void {
    for (const [k, e] of this.entries) f(k, elementOf(k, e), e.member, e.child);
  }
}
