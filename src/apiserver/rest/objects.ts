/**
 * The generic object lifecycle (upstream's generic registry Store): create, update, guaranteed
 * update with retries, delete with finalizers, graceful deletion and preconditions, list and get.
 * HTTP-free: handlers decode requests and call these.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceInfo } from '../../api/resources.js';
import { apiVersionOf, findResource } from '../../api/resources.js';
import { prepareJobForCreate, strategyFor } from '../../api/strategy/index.js';
import { definitionFor } from '../../api/schema.js';
import { errorMessage, type FieldError } from '../../machinery/validation/index.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../machinery/validation/index.js';
import { trackUpdate } from '../../machinery/apply/index.js';
import type { Store } from '../../storage/store.js';
import { ConflictError, NotFoundError } from '../../storage/store.js';
import type { AdmissionChain } from '../admission/registry.js';
import type { UserInfo } from '../authn/index.js';
import { badRequest, conflict, fromStoreError, invalid, notFound, StatusError, type Target } from '../status.js';
import type { WatchCache } from '../watch-cache.js';
import { clone, decode, decodeShared, encode, sameJson, writingObject, type KObject } from './codec.js';
import { collectionPrefix, objectKey } from './keys.js';
import { dropEmptyMetaFields, generateName, hasStatus, initialStatus, rfc3339, sameSpec, tracksGeneration } from './object-meta.js';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  user?: UserInfo;
  subresource?: string;
  /** The caller computed managedFields itself (server-side apply). */
  keepManagedFields?: boolean;
  /** Admission warnings for the client are appended here. */
  warnings?: string[];
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  orphanDependents?: boolean;
}

export interface DeleteResult {
  object: KObject;
  /** True when the object is gone from storage; false when it waits on finalizers or a grace period. */
  deleted: boolean;
}

export function target(r: ResourceInfo, name?: string): Target {
  return { group: r.group, resource: r.plural, name, kind: r.kind };
}

export class Objects {
  constructor(
    private readonly store: Store,
    private readonly cache: WatchCache,
    private readonly admission: AdmissionChain,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads the latest stored version (a consistent read). */
  async get(r: ResourceInfo, namespace: string, name: string): Promise<KObject> {
    const kv = await this.store.get(objectKey(r, namespace, name)).catch((e) => { throw fromStoreError(e, target(r, name)); });
    if (!kv) throw notFound(target(r, name));
    return decode(kv);
  }

  /**
   * Looks an object up by group and plural (for admission and subresources); undefined if absent.
   * Served from the watch cache (as upstream's admission listers), falling back to the store for
   * an object the cache has not seen yet. The result is shared: callers must not mutate it.
   */
  async lookup(group: string, plural: string, namespace: string, name: string): Promise<KObject | undefined> {
    const r = findStorageResource(group, plural);
    if (!r) return undefined;
    const key = objectKey(r, namespace, name);
    const kv = this.cache.get(key) ?? await this.store.get(key);
    return kv ? decodeShared(kv) : undefined;
  }

  /** Objects of a resource in a namespace ('' = all) from the watch cache (for admission); shared: do not mutate. */
  lookupList(group: string, plural: string, namespace: string): KObject[] {
    const r = findStorageResource(group, plural);
    if (!r) return [];
    return this.cache.list(collectionPrefix(r, namespace)).map((kv) => decodeShared(kv));
  }

  async create(r: ResourceInfo, namespace: string, input: KObject, opts: WriteOptions = {}): Promise<KObject> {
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    const meta = (obj.metadata ??= {});
    if (r.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace || meta.namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = generateName(String(meta.generateName));
    const now = this.now();
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(now);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    dropEmptyMetaFields(meta);
    if (tracksGeneration(r)) meta.generation = 1;
    else delete meta.generation;
    const strategy = strategyFor(r.group, r.kind);
    strategy.defaults?.(obj);
    if (hasStatus(r)) {
      const status = initialStatus(r, obj);
      if (status === undefined) delete obj.status;
      else obj.status = status;
    }
    if (r.group === 'batch' && r.plural === 'jobs') prepareJobForCreate(obj, meta.uid);
    const attrs = { operation: 'CREATE' as const, resource: r, subresource: '', namespace: meta.namespace ?? '', name: meta.name ?? '', object: obj, user: opts.user, dryRun: Boolean(opts.dryRun), warnings: opts.warnings };
    await this.admission.admit(attrs);
    this.validate(r, obj, undefined);
    await this.admission.validate(attrs);
    meta.managedFields = this.managedFields(r, undefined, obj, opts, now);
    if (opts.dryRun) return obj;
    const key = objectKey(r, meta.namespace ?? '', meta.name);
    const value = encode(obj);
    const written = writingObject(key, value, obj);
    try {
      return decodeShared(await this.store.create(key, value));
    } catch (err) {
      throw fromStoreError(err, target(r, meta.name));
    } finally {
      written();
    }
  }

  /**
   * Replaces an object. The input's resourceVersion, when set, must match the stored one.
   * For the status subresource only status changes; for the main resource status is kept.
   */
  async update(r: ResourceInfo, namespace: string, name: string, input: KObject, opts: WriteOptions = {}): Promise<KObject> {
    if (input.metadata?.name && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    const key = objectKey(r, namespace, name);
    const kv = await this.store.get(key).catch((e) => { throw fromStoreError(e, target(r, name)); });
    if (!kv) throw notFound(target(r, name));
    const rv = input.metadata?.resourceVersion;
    if (rv && String(rv) !== String(kv.modRevision)) throw conflict(target(r, name), 'the object has been modified; please apply your changes to the latest version and try again');
    return this.writeUpdate(r, decode(kv), input, kv.modRevision, opts);
  }

  /**
   * Reads, transforms and writes back, retrying on conflicts (upstream's GuaranteedUpdate),
   * unless the transform pins a resourceVersion.
   */
  async mutate(
    r: ResourceInfo, namespace: string, name: string,
    fn: (current: KObject) => KObject | Promise<KObject>, opts: WriteOptions = {},
  ): Promise<KObject> {
    const key = objectKey(r, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key).catch((e) => { throw fromStoreError(e, target(r, name)); });
      if (!kv) throw notFound(target(r, name));
      const current = decode(kv);
      // The transform sees no resourceVersion: one in its result is the caller's precondition.
      const given = clone(current);
      delete given.metadata.resourceVersion;
      const next = await fn(given);
      const pinned = next.metadata?.resourceVersion;
      if (pinned && String(pinned) !== String(kv.modRevision)) {
        throw conflict(target(r, name), 'the object has been modified; please apply your changes to the latest version and try again');
      }
      try {
        return await this.writeUpdate(r, current, next, kv.modRevision, opts);
      } catch (err) {
        const retriable = err instanceof StatusError && err.code === 409 && err.reason === 'Conflict' && !pinned && attempt < 20;
        if (!retriable) throw err;
      }
    }
  }

  private async writeUpdate(r: ResourceInfo, old: KObject, input: KObject, revision: number, opts: WriteOptions): Promise<KObject> {
    const sub = opts.subresource ?? '';
    let obj: KObject;
    if (sub === 'status') {
      obj = clone(old);
      obj.status = clone(input.status);
    } else {
      obj = clone(input);
      obj.apiVersion = apiVersionOf(r);
      obj.kind = r.kind;
      obj.metadata ??= {};
      if (hasStatus(r) && sub === '') {
        if (old.status === undefined) delete obj.status;
        else obj.status = clone(old.status);
      }
    }
    const meta = obj.metadata;
    const oldMeta = old.metadata;
    meta.name = oldMeta.name;
    if (r.namespaced) meta.namespace = oldMeta.namespace;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    if (oldMeta.deletionTimestamp) {
      meta.deletionTimestamp = oldMeta.deletionTimestamp;
      meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (oldMeta.deletionTimestamp) {
      // Finalizers may only be removed once deletion started.
      const added = (meta.finalizers ?? []).filter((f: string) => !(oldMeta.finalizers ?? []).includes(f));
      if (added.length) {
        throw invalid({ ...target(r, meta.name), kind: r.kind }, [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f: string) => JSON.stringify(f)).join(', ')}}` }]);
      }
    }
    dropEmptyMetaFields(meta);
    if (tracksGeneration(r)) {
      meta.generation = oldMeta.generation ?? 1;
      if (sub !== 'status' && !sameSpec(obj, old)) meta.generation += 1;
    } else delete meta.generation;
    if (sub === '' ) strategyFor(r.group, r.kind).defaults?.(obj);
    const attrs = { operation: 'UPDATE' as const, resource: r, subresource: sub, namespace: meta.namespace ?? '', name: meta.name, object: obj, oldObject: old, user: opts.user, dryRun: Boolean(opts.dryRun), warnings: opts.warnings };
    await this.admission.admit(attrs);
    this.validate(r, obj, old, sub);
    await this.admission.validate(attrs);
    const now = this.now();
    meta.managedFields = this.managedFields(r, old, obj, opts, now);
    // Nothing changed: no write, the resourceVersion stays (upstream's no-op update).
    delete meta.resourceVersion;
    const oldComparable = { ...old, metadata: { ...old.metadata, resourceVersion: undefined, managedFields: undefined } };
    const newComparable = { ...obj, metadata: { ...meta, managedFields: undefined } };
    if (sameJson(oldComparable, newComparable)) return old;
    if (meta.deletionTimestamp && !(meta.finalizers?.length) && !pendingGrace(r, obj) && !pendingNamespaceFinalizers(r, obj)) {
      if (opts.dryRun) return obj;
      try {
        const kv = await this.store.delete(objectKey(r, meta.namespace ?? '', meta.name), revision);
        const gone = decode(kv);
        return { ...obj, metadata: { ...meta, resourceVersion: gone.metadata.resourceVersion } };
      } catch (err) {
        throw fromStoreError(err instanceof NotFoundError ? new ConflictError('gone') : err, target(r, meta.name));
      }
    }
    if (opts.dryRun) return { ...obj, metadata: { ...meta, resourceVersion: String(revision) } };
    const key = objectKey(r, meta.namespace ?? '', meta.name);
    const value = encode(obj);
    const written = writingObject(key, value, obj);
    try {
      return decodeShared(await this.store.update(key, value, revision));
    } catch (err) {
      throw fromStoreError(err instanceof NotFoundError ? new ConflictError('gone') : err, target(r, meta.name));
    } finally {
      written();
    }
  }

  async delete(r: ResourceInfo, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const key = objectKey(r, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key).catch((e) => { throw fromStoreError(e, target(r, name)); });
      if (!kv) throw notFound(target(r, name));
      const current = decode(kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(target(r, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(target(r, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      await this.admission.validate({ operation: 'DELETE', resource: r, subresource: '', namespace, name, oldObject: current, user: opts.user, dryRun: Boolean(opts.dryRun) });
      const next = this.markDeleted(r, current, opts);
      try {
        if (next) {
          if (sameJson(next, current)) return { object: current, deleted: false };
          if (opts.dryRun) return { object: next, deleted: false };
          const written = await this.store.update(key, encode(next), kv.modRevision);
          return { object: decode(written), deleted: false };
        }
        if (opts.dryRun) return { object: current, deleted: true };
        const gone = await this.store.delete(key, kv.modRevision);
        return { object: decode(gone), deleted: true };
      } catch (err) {
        if (err instanceof ConflictError && !pre?.resourceVersion && attempt < 20) continue;
        throw fromStoreError(err, target(r, name));
      }
    }
  }

  /**
   * The object with deletion recorded, when it must wait (finalizers, graceful pod termination,
   * namespace finalization); undefined when it can be removed now.
   */
  private markDeleted(r: ResourceInfo, current: KObject, opts: DeleteOptions): KObject | undefined {
    const obj = clone(current);
    const meta = obj.metadata;
    const finalizers: string[] = [...(meta.finalizers ?? [])];
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Background' || policy === 'Foreground') {
      if (policy === 'Background') removeFrom(finalizers, 'foregroundDeletion');
      removeFrom(finalizers, 'orphan');
    }
    const isNamespace = r.group === '' && r.plural === 'namespaces';
    const isPod = r.group === '' && r.plural === 'pods';
    let grace = 0;
    if (isPod) grace = podGracePeriod(obj, opts.gracePeriodSeconds);
    const waits = finalizers.length > 0 || (isNamespace && (obj.spec?.finalizers?.length ?? 0) > 0) || grace > 0;
    if (!waits) return undefined;
    if (finalizers.length) meta.finalizers = finalizers;
    else delete meta.finalizers;
    const now = this.now();
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
    } else if (isPod && grace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
      // A shorter grace period brings the deadline forward, never back.
      meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
      if (grace === 0 && !finalizers.length) return undefined;
    }
    if (isNamespace) obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
    return obj;
  }

  /**
   * Metadata, then the kind's rules. Writes through status, binding and finalize change only
   * what those subresources own, so the spec's update rules (e.g. a pod's immutable spec) do not
   * apply to them; scale goes through the main rules (its only change is spec.replicas).
   */
  private validate(r: ResourceInfo, obj: KObject, old: KObject | undefined, subresource = ''): void {
    const strategy = strategyFor(r.group, r.kind);
    const specRules = subresource === '' || subresource === 'scale';
    const errors: FieldError[] = [
      ...validateObjectMeta(obj.metadata, { namespaced: r.namespaced, nameValidator: strategy.nameValidator }),
      ...(old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : []),
      ...(strategy.validate?.(obj) ?? []),
      ...(old && specRules ? strategy.validateUpdate?.(obj, old) ?? [] : []),
    ];
    if (errors.length) {
      throw invalid({ ...target(r, obj.metadata?.name ?? ''), kind: r.kind }, errors.map((e) => ({ reason: e.type, message: errorMessage(e), field: e.field })));
    }
  }

  private managedFields(r: ResourceInfo, live: KObject | undefined, updated: KObject, opts: WriteOptions, now: Date): unknown[] | undefined {
    if (opts.keepManagedFields) return updated.metadata.managedFields;
    return trackUpdate({
      live,
      updated,
      manager: opts.fieldManager ?? 'unknown',
      apiVersion: apiVersionOf(r),
      operation: 'Update',
      subresource: opts.subresource || undefined,
      time: rfc3339(now),
      schema: definitionFor({ group: r.group, version: r.version, kind: r.kind }),
      ignoredFields: hasStatus(r) ? (opts.subresource === 'status' ? [['spec'], ['metadata']] : opts.subresource ? [] : [['status']]) : undefined,
    });
  }
}

function removeFrom(list: string[], item: string): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** Upstream's pod graceful-deletion rules: unscheduled or finished pods go at once. */
function podGracePeriod(pod: KObject, requested: number | undefined): number {
  if (!pod.spec?.nodeName) return 0;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, Number(g));
}

function pendingGrace(r: ResourceInfo, obj: KObject): boolean {
  return r.group === '' && r.plural === 'pods' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

/** A terminating namespace stays until spec.finalizers is empty (the namespace controller's finalize). */
function pendingNamespaceFinalizers(r: ResourceInfo, obj: KObject): boolean {
  return r.group === '' && r.plural === 'namespaces' && (obj.spec?.finalizers?.length ?? 0) > 0;
}


/** The stored resource for group/plural (its storage version). */
export function findStorageResource(group: string, plural: string): ResourceInfo | undefined {
  for (const v of ['v1', 'v2']) {
    const r = findResource(group, v, plural);
    if (r && r.version === r.storageVersion) return r;
  }
  return findResource(group, 'v1', plural);
}
