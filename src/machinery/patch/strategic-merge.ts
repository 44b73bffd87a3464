/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the server side: applies a
 * patch to a live object, driven by the API schema's `x-kubernetes-patch-strategy` and
 * `x-kubernetes-patch-merge-key`, with the semantics of upstream's apimachinery strategicpatch
 * (StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls). Pure.
 *
 * - Maps merge recursively; `null` removes a key. Fields with strategy `replace` take the patch.
 * - Lists with strategy `merge` and a merge key merge element-wise by key; lists of primitives
 *   with strategy `merge` are unioned; every other list is replaced by the patch.
 * - Order without `$setElementOrder` (upstream's normalizeElementOrder): patch elements keep the
 *   patch's order, existing elements keep the live order, and the two are interleaved by live
 *   position, so an element that is new to the list comes before the remaining live-only ones.
 *   With `$setElementOrder/<list>` the named elements follow that list and live-only elements are
 *   interleaved by their live position.
 * - Directives: `$patch: replace|delete` on maps and as list elements, `$retainKeys`,
 *   `$deleteFromPrimitiveList/<list>`, `$setElementOrder/<list>`. They never reach the result.
 * - Free-form fields (RawExtension, JSON, fields the schema does not know) merge as RFC 7386.
 *
 * Deliberate differences from upstream: `$patch: merge` is accepted as a plain merge (upstream
 * rejects it); a `$patch: replace` map for a field the live object lacks sets the map (upstream
 * drops it); directives inside values that are new to the object are stripped rather than left
 * for the decoder to drop; a `$deleteFromPrimitiveList` aimed at a list without the merge strategy
 * is an error (upstream replaces the list with the deletion list); errors upstream lets through as
 * 500 are badRequest here (see errors.ts).
 */
import { fieldOf, isFreeForm, itemsOf, type SchemaNode } from '../../api/schema.js';
import { goValue, PatchError } from './errors.js';
import { mergeJsonValue } from './json-merge.js';
import { clone, hasOwn, isMap, own, setOwn, type JsonMap } from './json-value.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList';

const ERR_PRIMITIVE = 'invalid patch format of primitive list';
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_SET_ORDER = 'invalid patch format of setElementOrder list';

/** Marks a value that a directive removed (e.g. a new map carrying `$patch: delete`). */
const DROP: unique symbol = Symbol('drop');
type Materialized = unknown;

type ElementKind = 'map' | 'scalar';

/**
 * Applies `patch` to `original` and returns the result; neither input is modified.
 * `schema` is the kind's root definition, e.g. definitionFor({group:'apps',version:'v1',kind:'Deployment'});
 * without one the whole document merges as a JSON merge patch.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode | undefined): unknown {
  if (patch === null) return clone(original);
  if (!isMap(patch)) {
    throw new PatchError('badRequest', `json: cannot unmarshal ${goKind(patch)} into Go value of type map[string]interface {}`);
  }
  const base: JsonMap = isMap(original) ? clone(original) : {};
  if (isFreeForm(schema)) return mergeJsonValue(base, patch);
  return mergeMap(base, clone(patch), schema);
}

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function bad(message: string): PatchError {
  return new PatchError('badRequest', message);
}

function noMergeKey(m: unknown, key: string): PatchError {
  return bad(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
}

function badPatchType(directive: unknown, m: unknown): PatchError {
  return bad(`unknown patch type: ${goValue(directive)} in map: ${goValue(m)}`);
}

interface PatchMeta {
  strategy: string;
  mergeKey: string;
}

function patchMeta(node: SchemaNode | undefined): PatchMeta {
  const strategies = (node?.['x-kubernetes-patch-strategy'] ?? '').split(',').filter((s) => s !== '');
  return {
    strategy: strategies.find((s) => s !== 'retainKeys') ?? '',
    mergeKey: node?.['x-kubernetes-patch-merge-key'] ?? '',
  };
}

/** `$setElementOrder/containers` → `containers`; anything else with the prefix is malformed. */
function directiveField(key: string, prefix: string, error: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw bad(error);
  return key.slice(slash + 1);
}

// ---- maps -------------------------------------------------------------------------------------

/** Merges an owned patch map into an owned original map (both may be modified). */
function mergeMap(original: JsonMap, patch: JsonMap, schema: SchemaNode | undefined): JsonMap {
  if (hasOwn(patch, PATCH)) {
    const directive = patch[PATCH];
    if (directive === 'replace') {
      delete patch[PATCH];
      return materializeMap(patch, schema);
    }
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw badPatchType(directive, patch);
    delete patch[PATCH];
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);

  const deletions: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_PRIMITIVE)) {
      deletions.push([directiveField(key, DELETE_PRIMITIVE, ERR_PRIMITIVE), value]);
      continue;
    }
    mergeField(original, key, value, schema);
  }
  for (const [field, value] of deletions) deleteFromPrimitiveList(original, field, value, schema);
  return original;
}

function mergeField(original: JsonMap, key: string, value: unknown, schema: SchemaNode | undefined): void {
  if (value === null) {
    delete original[key];
    return;
  }
  const field = fieldOf(schema, key);
  const current = own(original, key);
  if (isMap(current) && isMap(value)) {
    if (isFreeForm(field)) setOwn(original, key, mergeJsonValue(current, value));
    else if (patchMeta(field).strategy === 'replace') setMaterialized(original, key, materialize(value, field));
    else setOwn(original, key, mergeMap(current, value, field));
    return;
  }
  if (Array.isArray(current) && Array.isArray(value) && !isFreeForm(field)) {
    const meta = patchMeta(field);
    if (meta.strategy === 'merge') {
      setOwn(original, key, mergeList(current, value, itemsOf(field), meta.mergeKey, key));
      return;
    }
  }
  // Absent, of another type, a scalar, or a list without the merge strategy: the patch wins.
  setMaterialized(original, key, materialize(value, field));
}

function setMaterialized(obj: JsonMap, key: string, value: Materialized): void {
  if (value === DROP) delete obj[key];
  else setOwn(obj, key, value);
}

/** `$retainKeys`: keys of the original not listed are cleared; the patch may only set listed keys. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw bad(ERR_RETAIN_KEYS);
  const keep = new Set<unknown>(list);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_PRIMITIVE) || key.startsWith(SET_ORDER)) continue;
    if (!keep.has(key)) throw bad(ERR_RETAIN_KEYS);
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

/**
 * `$setElementOrder/<list>`: merges the list named by the directive together with its patch list
 * (removing both from the patch), then orders the result by the directive.
 */
function applySetElementOrder(original: JsonMap, patch: JsonMap, schema: SchemaNode | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    const name = directiveField(key, SET_ORDER, ERR_SET_ORDER);
    if (!Array.isArray(order)) throw bad(ERR_SET_ORDER);
    const field = fieldOf(schema, name);
    const meta = patchMeta(field);
    // Only lists that merge have an order to keep; elsewhere the patch list replaces anyway.
    if (meta.strategy !== 'merge' || isFreeForm(field)) continue;

    const live = own(original, name);
    const patchList = own(patch, name);
    if (patchList === null) continue; // the field is being removed
    if (patchList !== undefined && !Array.isArray(patchList)) throw bad(ERR_SET_ORDER);
    const liveList = Array.isArray(live) ? live : undefined;
    validateSetElementOrder(patchList ?? [], order, meta.mergeKey);

    let merged: unknown[];
    if (liveList && !patchList) merged = liveList;
    else if (!liveList && patchList) merged = materialize(patchList, field) as unknown[];
    else if (liveList && patchList) merged = mergeList(liveList, patchList, itemsOf(field), meta.mergeKey, name);
    else continue;

    const kind = elementKind(liveList ?? [], patchList ?? []);
    const mergeKey = kind === 'map' ? meta.mergeKey : '';
    if (kind === 'map' && mergeKey === '') {
      throw bad(`cannot merge lists without merge key for ${name}`);
    }
    const [inOrder, liveOnly] = partition(merged, order, mergeKey);
    setOwn(original, name, kind ? normalizeOrder(inOrder, liveOnly, order, liveList ?? [], mergeKey) : merged);
    delete patch[name];
  }
}

/**
 * The elements of the patch list (deletions and other directive elements aside) must appear in
 * the `$setElementOrder` list, in the same relative order.
 */
function validateSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey
    ? patchList.filter((item) => !(isMap(item) && own(item, PATCH) === 'delete'))
    : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isMap(item) && hasOwn(item, PATCH)) {
      p++;
      continue;
    }
    if (sameElement(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw bad(`the order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ORDER} list:\n${goValue(order)}`);
  }
}

function sameElement(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  for (const m of [a, b]) {
    if (!isMap(m)) throw bad(`expected a map[string]interface {}, but received a ${goKind(m)}`);
    if (!hasOwn(m, mergeKey)) throw noMergeKey(m, mergeKey);
  }
  return (a as JsonMap)[mergeKey] === (b as JsonMap)[mergeKey];
}

/** `$deleteFromPrimitiveList/<list>`: removes the listed values from a primitive merge list. */
function deleteFromPrimitiveList(original: JsonMap, name: string, values: unknown, schema: SchemaNode | undefined): void {
  if (!Array.isArray(values)) throw bad(ERR_PRIMITIVE);
  const live = own(original, name);
  if (!Array.isArray(live)) return; // nothing to delete from
  const field = fieldOf(schema, name);
  if (patchMeta(field).strategy !== 'merge' || isFreeForm(field)) throw bad(ERR_PRIMITIVE);
  if (live.length === 0 && values.length === 0) return;
  if (elementKind(live, values) === 'map') throw bad(ERR_PRIMITIVE);
  setOwn(original, name, live.filter((v) => !values.includes(v)));
}

// ---- lists ------------------------------------------------------------------------------------

/** The common kind of the elements of the given lists; throws on lists of lists and mixed lists. */
function elementKind(...lists: unknown[][]): ElementKind | undefined {
  let seen: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      if (Array.isArray(item)) throw new PatchError('invalid', 'lists of lists are not supported');
      const t = isMap(item) ? 'map' : item === null ? 'null' : typeof item;
      if (seen === undefined) seen = t;
      else if (seen !== t) throw bad(`list element types are not identical: ${goValue(lists)}`);
    }
  }
  if (seen === undefined) return undefined;
  return seen === 'map' ? 'map' : 'scalar';
}

/** Merges a patch list into a live list with the `merge` strategy. */
function mergeList(live: unknown[], patch: unknown[], itemSchema: SchemaNode | undefined, mergeKey: string, name: string): unknown[] {
  if (live.length === 0 && patch.length === 0) return live;
  const kind = elementKind(live, patch);
  if (kind !== 'map') {
    const merged = dedupe([...live, ...patch]);
    const [fromPatch, liveOnly] = partition(merged, patch, '');
    return normalizeOrder(fromPatch, liveOnly, patch, live, '');
  }
  if (!mergeKey) throw bad(`cannot merge lists without merge key for ${name}`);

  // Directive elements: `$patch: delete` removes by merge key, `$patch: replace` drops the live list.
  let base = live;
  let replace = false;
  const plain: JsonMap[] = [];
  for (const item of patch as JsonMap[]) {
    if (!hasOwn(item, PATCH)) {
      plain.push(item);
      continue;
    }
    const directive = item[PATCH];
    if (directive === 'delete') {
      if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const key = item[mergeKey];
      base = base.filter((el) => !(isMap(el) && hasOwn(el, mergeKey) && el[mergeKey] === key));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive !== 'merge') {
      throw badPatchType(directive, item);
    }
  }
  let elements = plain;
  if (replace) {
    base = plain.map((el) => materialize(el, itemSchema)).filter((el) => el !== DROP);
    elements = [];
  }

  const merged = [...base];
  for (const item of elements) {
    if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const key = item[mergeKey];
    const at = merged.findIndex((el) => isMap(el) && hasOwn(el, mergeKey) && el[mergeKey] === key);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, item, itemSchema);
    else merged.push(materialize(item, itemSchema));
  }
  const [fromPatch, liveOnly] = partition(merged, elements, mergeKey);
  return normalizeOrder(fromPatch, liveOnly, elements, base, mergeKey);
}

function dedupe(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.includes(v)) out.push(v);
  return out;
}

function identity(item: unknown, mergeKey: string): unknown {
  if (!mergeKey) return item;
  return isMap(item) ? own(item, mergeKey) : undefined;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string): number {
  const id = identity(item, mergeKey);
  return list.findIndex((el) => identity(el, mergeKey) === id);
}

/** Splits `list` into the elements present in `by` and the others, keeping their order. */
function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const others: unknown[] = [];
  for (const item of list) {
    if (mergeKey && !(isMap(item) && hasOwn(item, mergeKey))) throw noMergeKey(item, mergeKey);
    (indexIn(by, item, mergeKey) >= 0 ? present : others).push(item);
  }
  return [present, others];
}

/**
 * Upstream's normalizeElementOrder: sorts the patch elements by `patchOrder` and the live-only
 * elements by `liveOrder`, then interleaves them: a live-only element goes first only while it
 * precedes the next patch element in the live list.
 */
function normalizeOrder(fromPatch: unknown[], liveOnly: unknown[], patchOrder: unknown[], liveOrder: unknown[], mergeKey: string): unknown[] {
  if (mergeKey) {
    for (const item of [...patchOrder, ...liveOrder]) {
      if (!isMap(item) || !hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
  const right = sortBy(fromPatch, patchOrder, mergeKey);
  const left = sortBy(liveOnly, liveOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(liveOrder, left[i], mergeKey);
      const ri = indexIn(liveOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Stable sort by position in `order`; elements not in `order` keep their order, after the rest. */
function sortBy(list: unknown[], order: unknown[], mergeKey: string): unknown[] {
  return list
    .map((item, pos) => ({ item, pos, at: indexIn(order, item, mergeKey) }))
    .sort((a, b) => {
      if (a.at >= 0 && b.at >= 0) return a.at - b.at || a.pos - b.pos;
      if (a.at >= 0) return -1;
      if (b.at >= 0) return 1;
      return a.pos - b.pos;
    })
    .map((e) => e.item);
}

// ---- values new to the object -----------------------------------------------------------------

/**
 * A patch value taken as is (the live object has nothing to merge it with): nulls inside maps are
 * dropped and directives are resolved and removed. Returns DROP for a map carrying `$patch: delete`.
 */
function materialize(value: unknown, schema: SchemaNode | undefined): Materialized {
  if (isFreeForm(schema)) return mergeJsonValue(undefined, value);
  if (isMap(value)) {
    if (hasOwn(value, PATCH)) {
      const directive = value[PATCH];
      if (directive === 'delete') return DROP;
      if (directive !== 'replace' && directive !== 'merge') throw badPatchType(directive, value);
    }
    return materializeMap(value, schema);
  }
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    const out: unknown[] = [];
    for (const item of value) {
      if (isMap(item) && hasOwn(item, PATCH)) {
        // Directive elements have nothing to act on in a new list.
        const directive = item[PATCH];
        if (directive !== 'delete' && directive !== 'replace' && directive !== 'merge') throw badPatchType(directive, item);
        continue;
      }
      out.push(materialize(item, items));
    }
    return out;
  }
  return value;
}

function materializeMap(value: JsonMap, schema: SchemaNode | undefined): JsonMap {
  if (hasOwn(value, RETAIN_KEYS) && !Array.isArray(value[RETAIN_KEYS])) throw bad(ERR_RETAIN_KEYS);
  const out: JsonMap = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === PATCH || key === RETAIN_KEYS || v === null) continue;
    if (key.startsWith(SET_ORDER)) {
      directiveField(key, SET_ORDER, ERR_SET_ORDER);
      continue;
    }
    if (key.startsWith(DELETE_PRIMITIVE)) {
      directiveField(key, DELETE_PRIMITIVE, ERR_PRIMITIVE);
      continue;
    }
    setMaterialized(out, key, materialize(v, fieldOf(schema, key)));
  }
  return out;
}
