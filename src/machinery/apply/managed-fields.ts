/**
 * apply/managed-fields: field ownership in `metadata.managedFields`, after upstream's
 * fieldmanager and structured-merge-diff's merge.Updater.
 *
 * - trackUpdate: a create/update/patch (operation Update). The manager takes the fields it added
 *   or changed; every other manager loses those and the fields that were removed.
 * - apply: a server-side apply (operation Apply). The configuration's field set becomes the
 *   manager's set; fields it applied before and dropped now are removed unless someone else owns
 *   them; changing fields other managers own is a conflict unless forced.
 *
 * Managers are told apart by (manager, operation, apiVersion, subresource), except that an
 * Apply entry ignores the apiVersion. apiVersion, kind and metadata.name/namespace/uid/
 * resourceVersion/generation/creationTimestamp/managedFields are never owned.
 */
import type { SchemaNode } from '../../api/schema.js';
import { FieldSet, goJson, pathToString, type FieldsV1 } from './field-set.js';
import { ApplyConflictError, ApplyInvalidError, managerIdentifier, type ApplyConflict } from './errors.js';
import { FieldPathError, isObject, type TypeRef } from './schema-types.js';
import {
  compareObjects,
  deepEqual,
  dropNulls,
  ensureNamedFieldsAreMembers,
  fieldsOf,
  mergeObjects,
  removeItems,
  type Comparison,
} from './typed-value.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update' | string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Update entries beyond this many are folded, oldest first, into "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

type Obj = Record<string, unknown>;

export interface ManagerState {
  manager: string;
  operation: string;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Fields no manager owns (upstream's stripMeta set; exact paths only). */
const STRIPPED = FieldSet.fromPaths(
  [
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ['metadata', 'name'],
    ['metadata', 'namespace'],
    ['metadata', 'creationTimestamp'],
    ['metadata', 'selfLink'],
    ['metadata', 'uid'],
    ['metadata', 'clusterName'],
    ['metadata', 'generation'],
    ['metadata', 'managedFields'],
    ['metadata', 'resourceVersion'],
  ].map((p) => p.map((field) => ({ field }))),
);

function idOf(m: Pick<ManagerState, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return managerIdentifier(m);
}

function ignoredSet(paths: ReadonlyArray<readonly string[]> | undefined): FieldSet | undefined {
  if (!paths || paths.length === 0) return undefined;
  return FieldSet.fromPaths(paths.map((p) => p.map((field) => ({ field }))));
}

function rootRef(schema: SchemaNode | undefined): TypeRef {
  return schema ?? 'deduced';
}

function managedFieldsOf(obj: unknown): unknown {
  return isObject(obj) && isObject(obj.metadata) ? obj.metadata.managedFields : undefined;
}

/**
 * The object without metadata.managedFields: a shallow copy down to metadata, sharing the rest
 * (nothing here changes the objects it walks; results are built fresh).
 */
function withoutManagedFields(obj: unknown): Obj {
  if (!isObject(obj)) return {};
  const md = obj.metadata;
  if (!isObject(md) || !Object.prototype.hasOwnProperty.call(md, 'managedFields')) return { ...obj };
  const { managedFields: _, ...rest } = md;
  return { ...obj, metadata: rest };
}

/** `[]` or `[{}]` asks to clear managedFields (upstream isResetManagedFields). */
function isReset(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false;
  return mf.length === 0 || (mf.length === 1 && isObject(mf[0]) && Object.keys(mf[0]).length === 0);
}

/** Reads managedFields entries; entries that are not FieldsV1 or do not parse are dropped. */
export function decodeManagedFields(entries: unknown): Map<string, ManagerState> {
  const out = new Map<string, ManagerState>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries as unknown[]) {
    if (!isObject(e) || typeof e.manager !== 'string' || typeof e.operation !== 'string') continue;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') continue;
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 as FieldsV1 | undefined);
    } catch {
      continue;
    }
    const m: ManagerState = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      subresource: typeof e.subresource === 'string' && e.subresource ? e.subresource : undefined,
      time: typeof e.time === 'string' ? e.time : undefined,
      set,
    };
    const id = idOf(m);
    const prev = out.get(id);
    out.set(id, prev ? { ...m, set: prev.set.union(set) } : m);
  }
  return out;
}

function seconds(t: string | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Entries in upstream's order: operation, time (seconds), manager, apiVersion, subresource. */
export function encodeManagedFields(managers: Map<string, ManagerState>): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.set.isEmpty());
  list.sort(
    (p, q) =>
      cmpStr(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmpStr(p.manager, q.manager) ||
      cmpStr(p.apiVersion, q.apiVersion) ||
      cmpStr(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cloneManagers(ms: Map<string, ManagerState>): Map<string, ManagerState> {
  return new Map([...ms].map(([id, m]) => [id, { ...m }]));
}

function filterComparison(c: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored) return c;
  const f = (s: FieldSet): FieldSet => (s.isEmpty() ? s : s.recursiveDifference(ignored));
  return { added: f(c.added), removed: f(c.removed), modified: f(c.modified) };
}

/**
 * Other managers give up the fields that were removed and the fields the workflow manager
 * changed or added. Without force, the latter are returned as conflicts and nothing changes.
 */
function takeOwnership(
  managers: Map<string, ManagerState>,
  cmp: Comparison,
  workflow: string,
  force: boolean,
): Map<string, FieldSet> {
  const changed = cmp.modified.isEmpty() ? cmp.added : cmp.added.isEmpty() ? cmp.modified : cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  if (!changed.isEmpty()) {
    for (const [id, m] of managers) {
      if (id === workflow) continue;
      const c = m.set.intersection(changed);
      if (!c.isEmpty()) conflicts.set(id, c);
    }
  }
  if (!force && conflicts.size > 0) return conflicts;
  const removed = cmp.removed.isEmpty() ? undefined : cmp.removed;
  for (const [id, m] of managers) {
    if (id === workflow) continue;
    const c = conflicts.get(id);
    let set = c ? m.set.difference(c) : m.set;
    if (removed) set = set.difference(removed);
    m.set = set;
  }
  for (const [id, m] of managers) if (m.set.isEmpty()) managers.delete(id);
  return new Map();
}

/** Folds the oldest Update entries into per-version "ancient-changes" buckets (upstream capManagers). */
function capUpdateManagers(managers: Map<string, ManagerState>): void {
  const updaters = [...managers].filter(([, m]) => m.operation !== 'Apply');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmpStr(ia, ib));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [id, m] of updaters) {
    if (length <= MAX_UPDATE_MANAGERS) break;
    const bucket = idOf({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: m.apiVersion });
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, id);
      continue;
    }
    if (!managers.has(bucket)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucket, { ...f, manager: ANCIENT_CHANGES, operation: 'Update', subresource: undefined });
    }
    const b = managers.get(bucket)!;
    managers.set(bucket, { ...b, set: m.set.union(b.set), time: m.time });
    if (id !== bucket) managers.delete(id);
    length--;
  }
}

export interface TrackUpdateOptions {
  /** The stored object before the write; undefined on create. */
  live: object | undefined;
  /** The object about to be stored (after defaulting and the strategy's resets). */
  updated: object;
  manager: string;
  /** The group/version the request used, e.g. apps/v1. */
  apiVersion: string;
  operation?: 'Update';
  subresource?: string;
  /** RFC3339, e.g. 2025-01-01T00:00:00Z. */
  time: string;
  /** The kind's root definition (definitionFor(gvk)); undefined for a kind without schema. */
  schema: SchemaNode | undefined;
  /** Fields this endpoint resets and no one may own here, e.g. [['status']] on the main resource. */
  ignoredFields?: ReadonlyArray<readonly string[]>;
}

/**
 * The managedFields to store after a create, update or patch. If the request itself carries
 * managedFields they are taken as the starting point (that is how clients edit them); `[]` or
 * `[{}]` clears them. If the objects cannot be walked (e.g. a keyed list item without its key),
 * the result is empty, as upstream drops managedFields rather than store garbage.
 */
export function trackUpdate(opts: TrackUpdateOptions): ManagedFieldsEntry[] {
  const sent = managedFieldsOf(opts.updated);
  if (isReset(sent)) return [];
  let managers = decodeManagedFields(sent);
  if (managers.size === 0) managers = decodeManagedFields(managedFieldsOf(opts.live));
  const root = rootRef(opts.schema);
  const ignored = ignoredSet(opts.ignoredFields);
  let cmp: Comparison;
  try {
    cmp = compareObjects(
      opts.live === undefined ? undefined : withoutManagedFields(opts.live),
      withoutManagedFields(opts.updated),
      root,
      { fromZero: opts.live === undefined },
    );
  } catch (e) {
    if (e instanceof FieldPathError) return [];
    throw e;
  }
  cmp = filterComparison(cmp, ignored);
  takeOwnership(managers, cmp, '', true);
  let current = cmp.modified.isEmpty() ? cmp.added : cmp.added.union(cmp.modified);
  if (!cmp.removed.isEmpty()) current = current.difference(cmp.removed);
  current = current.difference(STRIPPED);
  if (!current.isEmpty()) {
    const m: ManagerState = {
      manager: opts.manager,
      operation: 'Update',
      apiVersion: opts.apiVersion,
      subresource: opts.subresource || undefined,
      time: opts.time,
      set: current,
    };
    const id = idOf(m);
    const prev = managers.get(id);
    managers.set(id, { ...m, set: prev ? prev.set.union(current) : current });
  }
  capUpdateManagers(managers);
  return encodeManagedFields(managers);
}

export interface ApplyOptions {
  /** The stored object; undefined (or {}) when the apply creates it. */
  live: object | undefined;
  /** The applied configuration (the request body). */
  applied: object;
  manager: string;
  apiVersion: string;
  force: boolean;
  schema: SchemaNode | undefined;
  time: string;
  subresource?: string;
  ignoredFields?: ReadonlyArray<readonly string[]>;
}

export interface ApplyResult {
  /** The merged object, metadata.managedFields set to `managedFields` (absent when empty). */
  object: Obj;
  managedFields: ManagedFieldsEntry[];
  /** False when the object (ignoring managedFields) is the same as the live one. */
  changed: boolean;
}

/**
 * Server-side apply. Throws ApplyConflictError (409) on conflicts without force, and
 * ApplyInvalidError for a configuration that cannot be applied.
 *
 * For the manager "kubectl", conflicts on fields whose live values still match the
 * last-applied-configuration annotation are forced (upgrading from client-side apply), and that
 * annotation, if present, is rewritten from the applied configuration.
 */
export function apply(opts: ApplyOptions): ApplyResult {
  const appliedMeta = isObject(opts.applied) ? (opts.applied as Obj).metadata : undefined;
  if (isObject(appliedMeta) && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw new ApplyInvalidError('metadata.managedFields must be nil');
  }
  const liveObj = opts.live === undefined ? {} : withoutManagedFields(opts.live);
  const managers = decodeManagedFields(managedFieldsOf(opts.live));
  let result: ApplyResult;
  try {
    result = applyOnce(opts, liveObj, managers, opts.force);
  } catch (e) {
    if (!(e instanceof ApplyConflictError) || opts.manager !== 'kubectl') throw e;
    const allowed = allowedFromLastApplied(liveObj, rootRef(opts.schema));
    if (!allowed) throw e;
    const remaining = e.conflicts.filter((c) => !allowed.has(c.field));
    if (remaining.length > 0) throw new ApplyConflictError(remaining);
    result = applyOnce(opts, liveObj, managers, true);
  }
  if (opts.manager === 'kubectl') updateLastApplied(result.object, opts.applied);
  return result;
}

function wrapInvalid<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FieldPathError) throw new ApplyInvalidError(e.message);
    throw e;
  }
}

function applyOnce(opts: ApplyOptions, liveObj: Obj, decoded: Map<string, ManagerState>, force: boolean): ApplyResult {
  const root = rootRef(opts.schema);
  const ignored = ignoredSet(opts.ignoredFields);
  const managers = cloneManagers(decoded);
  let configSet = wrapInvalid(() => fieldsOf(opts.applied, root));
  if (ignored) configSet = configSet.recursiveDifference(ignored);
  const merged = wrapInvalid(() => mergeObjects(liveObj, opts.applied, root));

  const me: ManagerState = {
    manager: opts.manager,
    operation: 'Apply',
    apiVersion: opts.apiVersion,
    subresource: opts.subresource || undefined,
    set: configSet,
  };
  const id = idOf(me);
  const previous = managers.get(id);
  managers.set(id, me);
  const pruned = wrapInvalid(() => prune(merged, managers, previous?.set, root));
  const object = (dropNulls(pruned) ?? {}) as Obj;

  const cmp = filterComparison(compareObjects(liveObj, object, root), ignored);
  const conflicts = takeOwnership(managers, cmp, id, force);
  if (conflicts.size > 0) throw new ApplyConflictError(toConflictList(conflicts, managers));

  const changed = !deepEqual(liveObj, object);
  const mine = managers.get(id);
  if (mine) {
    mine.set = mine.set.difference(STRIPPED);
    if (mine.set.isEmpty()) managers.delete(id);
    else mine.time = changed || !previous || !previous.set.equals(mine.set) ? opts.time : previous.time;
  }
  capUpdateManagers(managers);
  const managedFields = encodeManagedFields(managers);
  if (managedFields.length > 0) {
    if (!isObject(object.metadata)) object.metadata = {};
    (object.metadata as Obj).managedFields = managedFields;
  }
  return { object, managedFields, changed };
}

/**
 * Removes what the manager applied last time and no longer applies, unless another manager (or
 * the new configuration) owns it; leaves alone anything the manager did not apply before.
 */
function prune(merged: unknown, managers: Map<string, ManagerState>, lastSet: FieldSet | undefined, root: TypeRef): unknown {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, root);
  const last = named(lastSet);
  const first = removeItems(merged, last, root);
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.set);
  const mergedSet = named(fieldsOf(merged, root));
  const addedBack = removeItems(merged, mergedSet.difference(named(fieldsOf(first, root)).union(named(owned))), root);
  return removeItems(merged, mergedSet.difference(named(fieldsOf(addedBack, root))).intersection(last), root);
}

function toConflictList(conflicts: Map<string, FieldSet>, managers: Map<string, ManagerState>): ApplyConflict[] {
  const out: ApplyConflict[] = [];
  for (const id of [...conflicts.keys()].sort()) {
    const m = managers.get(id)!;
    for (const p of conflicts.get(id)!.paths()) {
      const c: ApplyConflict = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, field: pathToString(p) };
      if (m.subresource) c.subresource = m.subresource;
      out.push(c);
    }
  }
  return out;
}

function annotationsOf(obj: Obj): Record<string, unknown> | undefined {
  const md = obj.metadata;
  return isObject(md) && isObject(md.annotations) ? md.annotations : undefined;
}

/**
 * Fields of the last-applied annotation whose values the live object still has; undefined when
 * there is no usable annotation.
 */
function allowedFromLastApplied(liveObj: Obj, root: TypeRef): Set<string> | undefined {
  const raw = annotationsOf(liveObj)?.[LAST_APPLIED_ANNOTATION];
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    const lastApplied = JSON.parse(raw) as unknown;
    if (!isObject(lastApplied)) return undefined;
    const cmp = compareObjects(lastApplied, liveObj, root);
    const set = fieldsOf(lastApplied, root).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
    return new Set(set.paths().map(pathToString));
  } catch {
    return undefined;
  }
}

/** If the result carries a last-applied annotation, rewrite it from the applied configuration. */
function updateLastApplied(object: Obj, applied: object): void {
  const annotations = annotationsOf(object);
  const current = annotations?.[LAST_APPLIED_ANNOTATION];
  if (!annotations || typeof current !== 'string' || current === '') return;
  const config = structuredClone(applied) as Obj;
  const configAnnotations = annotationsOf(config);
  if (configAnnotations) delete configAnnotations[LAST_APPLIED_ANNOTATION];
  // Go's json.Encoder output: sorted keys and a trailing newline.
  annotations[LAST_APPLIED_ANNOTATION] = `${goJson(config)}\n`;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += k.length + (typeof v === 'string' ? v.length : 0);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
}
