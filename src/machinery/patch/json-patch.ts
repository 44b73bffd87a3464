/**
 * JSON patch (RFC 6902, `application/json-patch+json`): add, remove, replace, move, copy, test over
 * RFC 6901 pointers (`~1` is `/`, `~0` is `~`; `-` appends to an array). Pure: the original is
 * copied before the operations run, and a failing patch leaves nothing half-applied.
 *
 * Follows the library upstream's API server uses (evanphx/json-patch v4), including its error
 * texts and leniencies:
 * - negative array indices count from the end (`/list/-1` is the last element);
 * - `replace` of an absent object member sets it (arrays still need an existing index);
 * - `test` treats an absent member like `null`.
 * Deliberately stricter than upstream: a non-empty pointer must start with `/`; `copy` from an
 * absent member fails instead of copying `null`; `replace` of the whole document needs an object
 * or array value.
 */
import { PatchError } from './errors.js';
import { clone, hasOwn, isMap, jsonEqual, setOwn, type JsonMap } from './json-value.js';

/** Upstream's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';
const TEST_FAILED = 'test failed';

/** An operation failure; becomes a 422 PatchError. */
class OpError extends Error {}

function wrap(outer: string, inner: string): OpError {
  return new OpError(`${outer}: ${inner}`);
}

/**
 * Applies a decoded JSON patch document (`operations`) to `original` and returns the result.
 * Throws PatchError: BadRequest when the body is not a list of operation objects,
 * RequestEntityTooLarge above 10000 operations, Invalid when an operation fails.
 */
export function jsonPatch(original: unknown, operations: unknown): unknown {
  if (operations === null) return clone(original);
  if (!Array.isArray(operations)) {
    throw new PatchError('badRequest', `json: cannot unmarshal ${kindName(operations)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of operations) {
    if (op !== null && !isMap(op)) {
      throw new PatchError('badRequest', `json: cannot unmarshal ${kindName(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (operations.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(
      'requestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}`,
    );
  }
  const root = { doc: clone(original) };
  try {
    for (const op of operations as (JsonMap | null)[]) applyOperation(root, op ?? {});
  } catch (err) {
    if (err instanceof OpError) throw new PatchError('invalid', err.message);
    throw err;
  }
  return root.doc;
}

function kindName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

interface Root {
  doc: unknown;
}

function applyOperation(root: Root, op: JsonMap): void {
  const kind = typeof op['op'] === 'string' && hasOwn(op, 'op') ? (op['op'] as string) : 'unknown';
  switch (kind) {
    case 'add':
      return add(root, op);
    case 'remove':
      return remove(root, op);
    case 'replace':
      return replace(root, op);
    case 'move':
      return move(root, op);
    case 'copy':
      return copy(root, op);
    case 'test':
      return test(root, op);
    default:
      throw new OpError(`Unexpected kind: ${kind}`);
  }
}

function stringField(op: JsonMap, name: string): string | undefined {
  const v = hasOwn(op, name) ? op[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The operation's value; an absent value is null, as upstream decodes it. */
function valueOf(op: JsonMap): unknown {
  return hasOwn(op, 'value') ? op['value'] : null;
}

// ---- containers -------------------------------------------------------------------------------

type Container = JsonMap | unknown[];

/** Go's strconv.Atoi as upstream uses it for array indices. */
function atoi(key: string): number | OpError {
  if (!/^[+-]?\d+$/.test(key)) return new OpError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  const n = Number(key);
  if (!Number.isSafeInteger(n)) return new OpError(`strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`);
  return n;
}

function invalidIndex(idx: number): OpError {
  return new OpError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
}

/** Resolves an existing array index (negative counts from the end). */
function existingIndex(arr: unknown[], key: string): number | OpError {
  let idx = atoi(key);
  if (idx instanceof OpError) return idx;
  if (idx < 0) {
    if (idx < -arr.length) return invalidIndex(idx);
    idx += arr.length;
  }
  if (idx >= arr.length) return invalidIndex(idx);
  return idx;
}

/** Reads a member: undefined when an object lacks it; an OpError for a bad array index. */
function getIn(con: Container, key: string): unknown {
  if (Array.isArray(con)) {
    const idx = existingIndex(con, key);
    return idx instanceof OpError ? idx : con[idx];
  }
  return hasOwn(con, key) ? con[key] : undefined;
}

function addIn(con: Container, key: string, value: unknown): OpError | undefined {
  if (!Array.isArray(con)) {
    setOwn(con, key, value);
    return undefined;
  }
  if (key === '-') {
    con.push(value);
    return undefined;
  }
  let idx = atoi(key);
  if (idx instanceof OpError) return wrap(`value was not a proper array index: '${key}'`, idx.message);
  const size = con.length + 1;
  if (idx >= size) return invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) return invalidIndex(idx);
    idx += size;
  }
  con.splice(idx, 0, value);
  return undefined;
}

function removeIn(con: Container, key: string): OpError | undefined {
  if (!Array.isArray(con)) {
    if (!hasOwn(con, key)) return new OpError(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete con[key];
    return undefined;
  }
  const idx = existingIndex(con, key);
  if (idx instanceof OpError) return idx;
  con.splice(idx, 1);
  return undefined;
}

/**
 * Finds the container holding the pointer's last token, or undefined when the pointer is not a
 * path (`""` or not starting with `/`) or an intermediate member is absent or not a container.
 */
function findParent(root: Root, pointer: string): { con: Container; key: string } | undefined {
  if (!pointer.startsWith('/')) return undefined;
  const tokens = pointer.slice(1).split('/').map(unescapeToken);
  let cur: unknown = root.doc;
  for (const token of tokens.slice(0, -1)) {
    if (!isMap(cur) && !Array.isArray(cur)) return undefined;
    const next = getIn(cur, token);
    if (next instanceof OpError) return undefined;
    cur = next;
  }
  if (!isMap(cur) && !Array.isArray(cur)) return undefined;
  return { con: cur, key: tokens[tokens.length - 1]! };
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

// ---- operations -------------------------------------------------------------------------------

function add(root: Root, op: JsonMap): void {
  const path = stringField(op, 'path');
  if (path === undefined) throw new OpError(`add operation failed to decode path: ${MISSING}`);
  const target = findParent(root, path);
  if (!target) throw new OpError(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  const err = addIn(target.con, target.key, clone(valueOf(op)));
  if (err) throw wrap(`error in add for path: '${path}'`, err.message);
}

function remove(root: Root, op: JsonMap): void {
  const path = stringField(op, 'path');
  if (path === undefined) throw new OpError(`remove operation failed to decode path: ${MISSING}`);
  const target = findParent(root, path);
  if (!target) throw new OpError(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  const err = removeIn(target.con, target.key);
  if (err) throw wrap(`error in remove for path: '${path}'`, err.message);
}

function replace(root: Root, op: JsonMap): void {
  const path = stringField(op, 'path');
  if (path === undefined) {
    throw new OpError(`replace operation failed to decode path: operation missing path field: ${MISSING}`);
  }
  const value = clone(valueOf(op));
  if (path === '') {
    if (!isMap(value) && !Array.isArray(value)) throw new OpError('replace operation value must be object or array');
    root.doc = value;
    return;
  }
  const target = findParent(root, path);
  if (!target) throw new OpError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
  const { con, key } = target;
  if (Array.isArray(con)) {
    const idx = existingIndex(con, key);
    if (idx instanceof OpError) throw new OpError(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
    con[idx] = value;
  } else {
    setOwn(con, key, value);
  }
}

function move(root: Root, op: JsonMap): void {
  const from = stringField(op, 'from');
  if (from === undefined) {
    throw new OpError(`move operation failed to decode from: operation, missing from field: ${MISSING}`);
  }
  const source = findParent(root, from);
  if (!source) throw new OpError(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  const value = getIn(source.con, source.key);
  if (value instanceof OpError) throw wrap(`error in move for path: '${source.key}'`, value.message);
  const removeErr = removeIn(source.con, source.key);
  if (removeErr) throw wrap(`error in move for path: '${source.key}'`, removeErr.message);
  const path = stringField(op, 'path');
  if (path === undefined) {
    throw new OpError(`move operation failed to decode path: operation missing path field: ${MISSING}`);
  }
  const target = findParent(root, path);
  if (!target) throw new OpError(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
  const err = addIn(target.con, target.key, value);
  if (err) throw wrap(`error in move for path: '${path}'`, err.message);
}

function copy(root: Root, op: JsonMap): void {
  const from = stringField(op, 'from');
  if (from === undefined) {
    throw new OpError(`copy operation failed to decode from: operation, missing from field: ${MISSING}`);
  }
  const source = findParent(root, from);
  if (!source) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  const value = getIn(source.con, source.key);
  if (value instanceof OpError) throw wrap(`error in copy for from: '${from}'`, value.message);
  if (value === undefined) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  const path = stringField(op, 'path');
  if (path === undefined) throw new OpError(`copy operation failed to decode path: ${MISSING}`);
  const target = findParent(root, path);
  if (!target) throw new OpError(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
  const err = addIn(target.con, target.key, clone(value));
  if (err) throw wrap('error while adding value during copy', err.message);
}

function test(root: Root, op: JsonMap): void {
  const path = stringField(op, 'path');
  if (path === undefined) {
    throw new OpError(`test operation failed to decode path: operation missing path field: ${MISSING}`);
  }
  const expected = hasOwn(op, 'value') ? op['value'] : undefined;
  let actual: unknown;
  if (path === '') {
    actual = root.doc;
  } else {
    const target = findParent(root, path);
    if (!target) throw new OpError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
    actual = getIn(target.con, target.key);
    if (actual instanceof OpError) throw wrap(`error in test for path: '${path}'`, actual.message);
  }
  const ok =
    actual === undefined || actual === null
      ? expected === null
      : expected !== undefined && jsonEqual(actual, expected);
  if (!ok) throw new OpError(`testing value ${path} failed: ${TEST_FAILED}`);
}
