/**
 * REST handlers for resources: get, list, watch, create, update, patch, delete,
 * deletecollection, and the status subresource. Decoding, field validation and representation
 * happen here; the object lifecycle is in objects.ts.
 */
import { findTypeMismatch } from '../../machinery/type-check.js';
import type { ResourceInfo } from '../../api/resources.js';
import { apiVersionOf } from '../../api/resources.js';
import { definitionFor } from '../../api/schema.js';
import { findDuplicateFields, findUnknownFields, goValueString, strictDecodingMessage, strictPatchStatus } from '../../machinery/field-validation.js';
import { pruneUnknownFields } from '../../machinery/prune-unknown.js';
import { applyJsonPatch, jsonMergePatch, PatchError, strategicMergePatch } from '../../machinery/patch/index.js';
import { apply as serverSideApply, ApplyConflictError, ApplyInvalidError } from '../../machinery/apply/index.js';
import { decodeBody, decodeObjectBody, mediaType, readBody } from '../body.js';
import { badRequest, methodNotAllowed, notFound, StatusError, unsupportedMediaType } from '../status.js';
import type { WatchCache } from '../watch-cache.js';
import type { Store } from '../../storage/store.js';
import { clone, jsonOf, serialize, type KObject } from './codec.js';
import { listObjects } from './list.js';
import { Objects, target, type DeleteOptions } from './objects.js';
import { rfc3339 } from './object-meta.js';
import { dryRunOf, fieldManagerOf, fieldValidationOf, includeObjectOf, sendJson, sendRaw, type Call, type FieldValidation } from './request.js';
import { toTable } from './table.js';
import { serveWatch } from './watch.js';
import type { Converter } from './convert.js';
import type { ServiceAccountTokens } from '../authn/service-account.js';

export interface HandlerDeps {
  store: Store;
  cache: WatchCache;
  objects: Objects;
  convert: Converter;
  bookmarkIntervalMs: number;
  trackStream(end: () => void): () => void;
  /** Signs ServiceAccount tokens for serviceaccounts/token (absent: the subresource answers 503). */
  tokens?: ServiceAccountTokens;
}

const PATCH_TYPES = new Set([
  'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
]);

export async function handleResource(d: HandlerDeps, call: Call): Promise<void> {
  const { info, resource: r } = call;
  const verb = info.verb;
  const sub = info.subresource;
  if (sub && sub !== 'status') throw notFound(target(r, info.name));
  if (!r.verbs.includes(verb) && !(sub === 'status' && ['get', 'update', 'patch'].includes(verb))) {
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  const ns = r.namespaced ? info.namespace : '';
  switch (verb) {
    case 'get':
      return sendObject(d, call, 200, await d.objects.get(call.storage, ns, info.name));
    case 'list':
      return list(d, call, ns);
    case 'watch':
      return watch(d, call, ns);
    case 'create':
      return create(d, call, ns);
    case 'update':
      return update(d, call, ns);
    case 'patch':
      return patch(d, call, ns);
    case 'delete':
      return remove(d, call, ns);
    case 'deletecollection':
      return deleteCollection(d, call, ns);
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

export function sendObject(d: Pick<HandlerDeps, 'convert'>, call: Call, code: number, obj: KObject): void {
  const out = d.convert.out(obj, call.resource);
  if (call.negotiated.as === 'table') {
    sendJson(call, code, toTable(call.resource, [out], { includeObject: includeObjectOf(call.query) }, { resourceVersion: out.metadata?.resourceVersion }));
  } else if (call.negotiated.as === 'partial') {
    sendJson(call, code, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: out.metadata });
  } else sendRaw(call, code, serialize(out));
}

async function list(d: HandlerDeps, call: Call, ns: string): Promise<void> {
  const q = call.query;
  const r = call.resource;
  const limit = q.get('limit');
  const result = await listObjects(d.store, d.cache, selectable(call), ns, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit ? Number(limit) : undefined,
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  const items = result.items.map((o) => d.convert.out(o, r));
  if (call.negotiated.as === 'table') {
    sendJson(call, 200, toTable(r, items, { includeObject: includeObjectOf(q) }, listMeta));
  } else if (call.negotiated.as === 'partial') {
    sendJson(call, 200, {
      kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta,
      items: items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })),
    });
  } else if (items.every((o, i) => o === result.items[i])) {
    // Served as stored: splice each object's cached serialization instead of re-serializing.
    const head = JSON.stringify({ kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: listMeta });
    sendRaw(call, 200, `${head.slice(0, -1)},"items":[${result.kvs.map(jsonOf).join(',')}]}`);
  } else {
    sendJson(call, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: listMeta, items });
  }
}

async function watch(d: HandlerDeps, call: Call, ns: string): Promise<void> {
  const q = call.query;
  const timeout = q.get('timeoutSeconds');
  let fieldSelector = q.get('fieldSelector');
  if (call.info.name) fieldSelector = [fieldSelector, `metadata.name=${call.info.name}`].filter(Boolean).join(',');
  await serveWatch(d.cache, call.res, {
    resource: selectable(call),
    view: call.resource,
    namespace: ns,
    labelSelector: q.get('labelSelector'),
    fieldSelector,
    resourceVersion: q.get('resourceVersion'),
    allowBookmarks: q.get('allowWatchBookmarks') === 'true',
    timeoutSeconds: timeout ? Number(timeout) : undefined,
    as: call.negotiated.as,
    includeObject: includeObjectOf(q),
    sendInitialEvents: q.get('sendInitialEvents') === 'false' ? false : undefined,
  }, { bookmarkIntervalMs: d.bookmarkIntervalMs, track: d.trackStream, convert: (o) => d.convert.out(o, call.resource) });
}

/** The stored resource with the served version's field selector labels (events.k8s.io: regarding.*). */
function selectable(call: Call): ResourceInfo {
  const { storage, resource } = call;
  return storage.fieldSelectors === resource.fieldSelectors ? storage : { ...storage, fieldSelectors: resource.fieldSelectors };
}

/** Reads and decodes the request body as an object of the resource's kind. */
async function readObject(call: Call, validation: FieldValidation): Promise<KObject> {
  const buf = await readBody(call.req);
  const { object, json } = decodeObjectBody(buf, call.req.headers['content-type'], call.resource.kind);
  const obj = checkObject(call, object, validation, json);
  return obj;
}

type StrictError = (unknown: string[], duplicates: string[]) => StatusError;

function checkObject(call: Call, object: unknown, validation: FieldValidation, json?: string, strictError?: StrictError): KObject {
  const r = call.resource;
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw badRequest(`the body of the request was not a ${r.kind} object`);
  }
  const obj = object as KObject;
  for (const f of ['apiVersion', 'kind'] as const) {
    const v: unknown = obj[f];
    if (v === null) delete obj[f]; // JSON null decodes to Go's empty string
    else if (v !== undefined && typeof v !== 'string') {
      throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${goTypeOf(v)} into Go struct field .${f} of type string`);
    }
  }
  const expected = apiVersionOf(r);
  if (obj.kind !== undefined && obj.kind !== r.kind && !(call.info.subresource === 'status')) {
    throw badRequest(`${obj.kind} in version "${versionOf(obj.apiVersion)}" cannot be handled as a ${r.kind}: the object provided is unrecognized (must be of type ${r.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected && !sameGroup(obj.apiVersion, r)) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object')) {
    throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: json: cannot unmarshal ${typeof obj.metadata} into Go struct field ${r.kind}.metadata of type v1.ObjectMeta`);
  }
  obj.metadata ??= {};
  const mismatch = findTypeMismatch(obj, definitionFor({ group: r.group, version: r.version, kind: r.kind }));
  if (mismatch) throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: ${mismatch}`);
  checkFields(call, obj, validation, json, strictError);
  // Fields the schema does not declare never reach storage, as decoding into typed structs.
  return pruneUnknownFields(obj, definitionFor({ group: r.group, version: r.version, kind: r.kind }));
}

/** Go's name for a JSON value's type in unmarshal errors. */
function goTypeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string';
}

function versionOf(apiVersion: unknown): string {
  const s = String(apiVersion ?? '');
  return s.includes('/') ? s.slice(s.indexOf('/') + 1) : s;
}

function sameGroup(apiVersion: string, r: ResourceInfo): boolean {
  const g = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return g === r.group && apiVersion !== '' && versionOf(apiVersion) !== '' && false;
}

/** Unknown and duplicate fields: an error under Strict, warnings under Warn. */
function checkFields(call: Call, obj: KObject, validation: FieldValidation, json?: string, strictError?: StrictError): void {
  if (validation === 'Ignore') return;
  const r = call.resource;
  const schema = definitionFor({ group: r.group, version: r.version, kind: r.kind });
  if (!schema) return;
  const unknown = findUnknownFields(obj, schema);
  const duplicates = json ? findDuplicateFields(json) : [];
  if (!unknown.length && !duplicates.length) return;
  if (validation === 'Strict') {
    throw strictError ? strictError(unknown, duplicates) : badRequest(strictDecodingMessage(r.kind, r.version, unknown, duplicates));
  }
  for (const f of unknown) call.warnings.push(`unknown field "${f}"`);
  for (const f of duplicates) call.warnings.push(`duplicate field "${f}"`);
}

async function create(d: HandlerDeps, call: Call, ns: string): Promise<void> {
  const q = call.query;
  const dryRun = dryRunOf(q);
  const obj = await readObject(call, fieldValidationOf(q));
  const created = await d.objects.create(call.storage, ns, d.convert.in(obj, call.resource), {
    dryRun, fieldManager: fieldManagerOf(q, call.req.headers['user-agent']), user: call.user, warnings: call.warnings,
  });
  sendObject(d, call, 201, created);
}

async function update(d: HandlerDeps, call: Call, ns: string): Promise<void> {
  const q = call.query;
  const obj = await readObject(call, fieldValidationOf(q));
  const updated = await d.objects.update(call.storage, ns, call.info.name, d.convert.in(obj, call.resource), {
    dryRun: dryRunOf(q), fieldManager: fieldManagerOf(q, call.req.headers['user-agent']), user: call.user, subresource: call.info.subresource, warnings: call.warnings,
  });
  sendObject(d, call, 200, updated);
}

async function patch(d: HandlerDeps, call: Call, ns: string): Promise<void> {
  const q = call.query;
  const r = call.resource;
  const type = mediaType(call.req.headers['content-type']);
  if (!PATCH_TYPES.has(type)) throw unsupportedMediaType(type);
  const dryRun = dryRunOf(q);
  const validation = fieldValidationOf(q);
  const buf = await readBody(call.req);
  const { object: patchBody, json } = decodeBody(buf, type);
  const schema = definitionFor({ group: r.group, version: r.version, kind: r.kind });
  const sr = call.storage;
  const storageSchema = definitionFor({ group: sr.group, version: sr.version, kind: sr.kind });
  const name = call.info.name;

  if (type === 'application/apply-patch+yaml') {
    const manager = fieldManagerOf(q, call.req.headers['user-agent'], true);
    const force = q.get('force') === 'true';
    const applied = checkObject(call, patchBody, validation, json);
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    const now = rfc3339(new Date());
    const live = await d.objects.get(sr, ns, name).catch((e) => {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    });
    try {
      if (!live) {
        const result = serverSideApply({ live: undefined, applied: d.convert.in(applied, r), manager, apiVersion: apiVersionOf(sr), force, schema: storageSchema, time: now, ...ignoredFor(call.info.subresource, sr) });
        const obj = { ...(result.object as KObject) };
        obj.metadata = { ...obj.metadata, name, managedFields: result.managedFields };
        const created = await d.objects.create(sr, ns, obj, { dryRun, user: call.user, keepManagedFields: true, warnings: call.warnings });
        return sendObject(d, call, 201, created);
      }
      const updated = await d.objects.mutate(sr, ns, name, (current) => {
        const result = serverSideApply({ live: current, applied: d.convert.in(applied, r), manager, apiVersion: apiVersionOf(sr), force, schema: storageSchema, time: now, ...ignoredFor(call.info.subresource, sr) });
        const obj = result.object as KObject;
        obj.metadata = { ...obj.metadata, managedFields: result.managedFields };
        if (!applied.metadata.resourceVersion) delete obj.metadata.resourceVersion;
        return obj;
      }, { dryRun, user: call.user, subresource: call.info.subresource, keepManagedFields: true, warnings: call.warnings });
      return sendObject(d, call, 200, updated);
    } catch (err) {
      if (err instanceof ApplyConflictError) {
        throw new StatusError(409, 'Conflict', err.message, {
          causes: err.causes.map((c) => ({ reason: c.type, message: c.message, field: c.field })),
        });
      }
      if (err instanceof ApplyInvalidError) throw new StatusError(422, 'Invalid', err.message);
      throw err;
    }
  }

  const manager = fieldManagerOf(q, call.req.headers['user-agent']);
  const updated = await d.objects.mutate(sr, ns, name, (current) => {
    const currentOut = d.convert.out(current, r);
    let next: unknown;
    try {
      if (type === 'application/json-patch+json') next = applyJsonPatch(currentOut, patchBody);
      else if (type === 'application/merge-patch+json') next = jsonMergePatch(currentOut, patchBody);
      else next = strategicMergePatch(currentOut, patchBody, schema);
    } catch (err) {
      if (err instanceof PatchError) throw patchStatus(err);
      throw err;
    }
    const strictError: StrictError = (unknown) => {
      const st = strictPatchStatus(goValueString(patchBody), unknown, json ? findDuplicateFields(json) : []);
      return new StatusError(st.code, st.reason, st.message, st.details);
    };
    return d.convert.in(checkObject(call, next, validation, undefined, strictError), r);
  }, { dryRun, fieldManager: manager, user: call.user, subresource: call.info.subresource, warnings: call.warnings });
  sendObject(d, call, 200, updated);
}

/** Fields nobody owns through this endpoint: status on the main resource, spec on /status. */
function ignoredFor(subresource: string, r: ResourceInfo): { ignoredFields?: string[][] } {
  if (!('status' in r.subresources)) return {};
  return { ignoredFields: subresource === 'status' ? [['spec'], ['metadata']] : [['status']] };
}

export function patchStatus(err: PatchError): StatusError {
  return new StatusError(err.code, err.reason, err.statusMessage);
}

async function deleteOptionsOf(call: Call): Promise<DeleteOptions> {
  const q = call.query;
  const opts: DeleteOptions = { dryRun: dryRunOf(q), user: call.user };
  const buf = await readBody(call.req);
  if (buf.length) {
    const { object } = decodeBody(buf, call.req.headers['content-type'] ?? 'application/json');
    const o = (object ?? {}) as Record<string, any>;
    if (o.kind !== undefined && o.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${o.kind}`);
    if (o.dryRun?.length) opts.dryRun = true;
    if (o.preconditions) opts.preconditions = o.preconditions;
    if (o.propagationPolicy) opts.propagationPolicy = o.propagationPolicy;
    if (o.gracePeriodSeconds !== undefined && o.gracePeriodSeconds !== null) opts.gracePeriodSeconds = Number(o.gracePeriodSeconds);
    if (o.orphanDependents !== undefined && o.orphanDependents !== null) opts.orphanDependents = Boolean(o.orphanDependents);
  }
  const g = q.get('gracePeriodSeconds');
  if (g !== null) opts.gracePeriodSeconds = Number(g);
  const p = q.get('propagationPolicy');
  if (p !== null) opts.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isFinite(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: gracePeriodSeconds: Invalid value: ${opts.gracePeriodSeconds}: must be >= 0`);
  }
  return opts;
}

async function remove(d: HandlerDeps, call: Call, ns: string): Promise<void> {
  const opts = await deleteOptionsOf(call);
  const result = await d.objects.delete(call.storage, ns, call.info.name, opts);
  sendObject(d, call, result.deleted ? 200 : 202, result.object);
}

async function deleteCollection(d: HandlerDeps, call: Call, ns: string): Promise<void> {
  const q = call.query;
  const opts = await deleteOptionsOf(call);
  const r = call.resource;
  const result = await listObjects(d.store, d.cache, selectable(call), ns, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
  });
  const items: KObject[] = [];
  for (const obj of result.items) {
    try {
      const res = await d.objects.delete(call.storage, obj.metadata.namespace ?? '', obj.metadata.name, opts);
      items.push(clone(res.object));
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) continue;
      throw err;
    }
  }
  sendJson(call, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(d.cache.revision) }, items: items.map((o) => d.convert.out(o, r)) });
}
