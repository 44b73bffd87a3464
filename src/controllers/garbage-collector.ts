/**
 * The garbage collector: ownerReferences, as upstream.
 *  - Background: a dependent whose owners are all gone (no object with the owner's uid) is
 *    deleted; owners that still exist keep it (dangling references are then dropped from it).
 *  - Foreground: an owner with a deletionTimestamp and the `foregroundDeletion` finalizer has its
 *    dependents deleted (Foreground when they have dependents of their own) and keeps the
 *    finalizer until no dependent with blockOwnerDeletion remains; then the finalizer goes and
 *    the API server removes the owner.
 *  - Orphan: an owner with the `orphan` finalizer has its dependents' ownerReferences to it
 *    removed, then the finalizer.
 * The graph comes from metadata-only informers over every stored resource (events excepted).
 */
import { RESOURCES, findResourceByKind, parseApiVersion, type ResourceInfo } from '../api/resources.js';
import type { SharedInformer } from '../client/informer.js';
import { isConflict, isNotFound, type KObject } from '../client/rest-client.js';
import { objectKey, OWNER_UID_INDEX, ownerUidIndexFunc } from '../client/store.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';
import { storedResources } from './served-resources.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** Resources upstream's collector leaves alone. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

/** How often an owner waiting for its dependents looks again (besides the dependents' events). */
const FOREGROUND_RECHECK_MS = 2000;

interface Monitor {
  id: string;
  resource: ResourceInfo;
  informer: SharedInformer;
}

type OwnerState = 'solid' | 'dangling' | 'waiting' | 'unknown';

const resourceId = (r: ResourceInfo): string => `${r.group}/${r.plural}`;
const uidOf = (o: KObject): string => String(o.metadata?.uid ?? '');

export class GarbageCollector extends BaseController {
  private readonly monitors = new Map<string, Monitor>();
  /** uid → queue key ("group/plural|namespace/name") of every object seen. */
  private readonly uids = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    super('garbagecollector', ctx, { workers: 4 });
    for (const r of storedResources(['list', 'watch', 'delete', 'patch'])) {
      if (IGNORED.has(resourceId(r))) continue;
      const informer = ctx.informers.informerFor(r, { metadataOnly: true });
      informer.addIndexers({ [OWNER_UID_INDEX]: ownerUidIndexFunc });
      const m: Monitor = { id: resourceId(r), resource: r, informer };
      this.monitors.set(m.id, m);
      this.handle(informer, {
        onAdd: (o) => this.observe(m, o),
        onUpdate: (_old, o) => this.observe(m, o),
        onDelete: (o) => this.forgetObject(m, o),
      });
    }
  }

  private keyOf(m: Monitor, o: KObject): string {
    return `${m.id}|${objectKey(o)}`;
  }

  private observe(m: Monitor, o: KObject): void {
    const key = this.keyOf(m, o);
    this.uids.set(uidOf(o), key);
    const meta = o.metadata ?? {};
    const fins: string[] = meta.finalizers ?? [];
    if (meta.ownerReferences?.length || (meta.deletionTimestamp && (fins.includes(FOREGROUND_FINALIZER) || fins.includes(ORPHAN_FINALIZER)))) {
      this.queue.add(key);
    }
  }

  private forgetObject(m: Monitor, o: KObject): void {
    const uid = uidOf(o);
    const key = this.keyOf(m, o);
    if (this.uids.get(uid) === key) this.uids.delete(uid);
    // Its dependents may now be orphans; an owner waiting in foreground may now be free.
    for (const [dm, dep] of this.dependentsOf(uid)) this.queue.add(this.keyOf(dm, dep));
    for (const ref of o.metadata?.ownerReferences ?? []) {
      const ownerKey = this.uids.get(String(ref.uid));
      if (ownerKey) this.queue.add(ownerKey);
    }
  }

  private lookup(key: string): [Monitor, KObject] | undefined {
    const i = key.indexOf('|');
    const m = this.monitors.get(key.slice(0, i));
    const o = m?.informer.store.get(key.slice(i + 1));
    return m && o ? [m, o] : undefined;
  }

  private dependentsOf(uid: string): [Monitor, KObject][] {
    const out: [Monitor, KObject][] = [];
    for (const m of this.monitors.values()) for (const o of m.informer.store.byIndex(OWNER_UID_INDEX, uid)) out.push([m, o]);
    return out;
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const found = this.lookup(key);
    if (!found) return;
    const [m, obj] = found;
    const meta = obj.metadata;
    if (meta.deletionTimestamp) {
      const fins: string[] = meta.finalizers ?? [];
      if (fins.includes(ORPHAN_FINALIZER)) {
        await this.orphanDependents(m, obj);
        return;
      }
      if (fins.includes(FOREGROUND_FINALIZER)) return this.processDeletingDependents(m, obj);
      return;
    }
    if (!meta.ownerReferences?.length) return;
    return this.attemptToDelete(m, obj);
  }

  /** A dependent: delete it when no owner remains, or drop references to owners that are gone. */
  private async attemptToDelete(m: Monitor, obj: KObject): Promise<ReconcileResult> {
    const refs: KObject[] = obj.metadata.ownerReferences;
    const states = await Promise.all(refs.map((ref) => this.ownerState(obj, ref)));
    const solid = refs.filter((_, i) => states[i] === 'solid');
    const dangling = refs.filter((_, i) => states[i] === 'dangling');
    const waiting = refs.filter((_, i) => states[i] === 'waiting');
    if (states.includes('unknown')) {
      if (solid.length === 0) return; // cannot tell whether an owner exists: leave the object alone
    }
    if (solid.length || states.includes('unknown')) {
      if (!dangling.length && !waiting.some((r) => r.blockOwnerDeletion)) return;
      // Keep the object; drop references to owners that are gone, and stop blocking owners being deleted.
      const drop = new Set(dangling.map((r) => String(r.uid)));
      const next = refs.filter((r) => !drop.has(String(r.uid))).map((r) => (waiting.includes(r) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
      await this.patchMeta(m, obj, { ownerReferences: next.length ? next : null });
      return;
    }
    const fins: string[] = obj.metadata.finalizers ?? [];
    let policy: 'Foreground' | 'Background' | 'Orphan';
    if (waiting.length && this.dependentsOf(uidOf(obj)).length) policy = 'Foreground';
    else if (fins.includes(ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (fins.includes(FOREGROUND_FINALIZER)) policy = 'Foreground';
    else policy = 'Background';
    try {
      await this.ctx.client.delete(m.resource, obj.metadata.namespace, obj.metadata.name, { propagationPolicy: policy, preconditions: { uid: uidOf(obj) } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }

  /** Is the owner there (solid), gone (dangling), or being deleted in foreground (waiting)? */
  private async ownerState(dependent: KObject, ref: KObject): Promise<OwnerState> {
    const depNs: string = dependent.metadata.namespace ?? '';
    const cachedKey = this.uids.get(String(ref.uid));
    const cached = cachedKey ? this.lookup(cachedKey) : undefined;
    if (cached) {
      const [om, owner] = cached;
      const sameIdentity = owner.metadata.name === ref.name && (!om.resource.namespaced || owner.metadata.namespace === depNs);
      if (sameIdentity) return stateOf(owner);
    }
    // Not in the caches (or cached under another identity): ask the API server before deciding.
    const r = resolveKind(String(ref.apiVersion ?? ''), String(ref.kind ?? ''));
    if (!r) return 'unknown';
    if (r.namespaced && !depNs) return 'dangling';
    try {
      const live = await this.ctx.client.get(r, r.namespaced ? depNs : undefined, String(ref.name), { metadataOnly: true });
      if (uidOf(live) !== String(ref.uid)) return 'dangling';
      return stateOf(live);
    } catch (err) {
      if (isNotFound(err)) return 'dangling';
      throw err;
    }
  }

  /** Foreground: delete dependents; drop the finalizer once no blocking dependent is left. */
  private async processDeletingDependents(m: Monitor, owner: KObject): Promise<ReconcileResult> {
    const uid = uidOf(owner);
    const deps = this.dependentsOf(uid);
    const blocking = deps.filter(([, d]) => (d.metadata.ownerReferences ?? []).some((r: KObject) => String(r.uid) === uid && r.blockOwnerDeletion === true));
    if (!blocking.length) {
      await this.removeFinalizer(m, owner, FOREGROUND_FINALIZER);
      return;
    }
    for (const [dm, d] of deps) this.queue.add(this.keyOf(dm, d));
    return { requeueAfter: FOREGROUND_RECHECK_MS };
  }

  /** Orphan: remove the owner's references from its dependents, then the `orphan` finalizer. */
  private async orphanDependents(m: Monitor, owner: KObject): Promise<void> {
    const uid = uidOf(owner);
    for (const [dm, d] of this.dependentsOf(uid)) {
      const next = (d.metadata.ownerReferences ?? []).filter((r: KObject) => String(r.uid) !== uid);
      await this.patchMeta(dm, d, { ownerReferences: next.length ? next : null });
    }
    await this.removeFinalizer(m, owner, ORPHAN_FINALIZER);
  }

  private async removeFinalizer(m: Monitor, obj: KObject, finalizer: string): Promise<void> {
    const rest = (obj.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    await this.patchMeta(m, obj, { finalizers: rest.length ? rest : null });
  }

  /** A JSON merge patch of metadata, pinned to the cached resourceVersion (a conflict retries). */
  private async patchMeta(m: Monitor, obj: KObject, metadata: KObject): Promise<void> {
    try {
      await this.ctx.client.patch(m.resource, obj.metadata.namespace, obj.metadata.name, 'merge', {
        metadata: { ...metadata, resourceVersion: obj.metadata.resourceVersion },
      }, { fieldManager: 'generic-garbage-collector' });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

function stateOf(owner: KObject): OwnerState {
  const meta = owner.metadata ?? {};
  return meta.deletionTimestamp && (meta.finalizers ?? []).includes(FOREGROUND_FINALIZER) ? 'waiting' : 'solid';
}

/** The served resource for an ownerReference's apiVersion and kind (any served version of the group). */
function resolveKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return findResourceByKind(group, version, kind) ?? RESOURCES.find((r) => r.group === group && r.kind === kind && r.stored);
}
