/**
 * The ReplicaSet controller (and, sharing the code, the ReplicationController one), as upstream:
 *  - keeps spec.replicas active pods (not finished, not being deleted) whose controller
 *    ownerReference is the set: it adopts matching orphans and releases owned pods that stopped
 *    matching its selector;
 *  - creates missing pods from the template (generateName `<set>-`, the template's labels and
 *    annotations, a controller ownerReference with blockOwnerDeletion) in slow-start batches of
 *    1, 2, 4, … (at most 500 per sync), and deletes surplus pods in upstream's order (unscheduled,
 *    then Pending < Unknown < Running, not ready, lower deletion cost, doubled-up, ready for less
 *    time, more restarts, newer);
 *  - does not act again until its own creates and deletes were observed (expectations, 5 min);
 *  - always recomputes status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
 *    after minReadySeconds, observedGeneration) and reports failed creates or deletes as the
 *    ReplicaFailure condition (FailedCreate / FailedDelete).
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { SharedInformer } from '../client/informer.js';
import { Lister } from '../client/lister.js';
import { ApiError, isConflict, isNotFound, type KObject } from '../client/rest-client.js';
import { OWNER_UID_INDEX, ownerUidIndexFunc, splitKey } from '../client/store.js';
import { matches, selectorFromObject, type Selector } from '../machinery/labels.js';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './controller-expectations.js';
import { EventRecorder } from '../client/event-recorder.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';
import { claimObjects, controllerRefOf, newControllerRef, type OwnerKind } from './owner-claim.js';
import { isPodActive, isPodAvailable, isPodReady } from './pod-readiness.js';
import { podKey, podsToDelete, slowStartBatch } from './replicaset-pods.js';

/** At most this many creates or deletes per sync (upstream's BurstReplicas). */
export const BURST_REPLICAS = 500;
export const SLOW_START_INITIAL_BATCH = 1;
const STATUS_UPDATE_RETRIES = 1;

const pods = findResource('', 'v1', 'pods')!;

interface SetKind extends OwnerKind {
  controllerName: string;
  component: string;
  resource: ResourceInfo;
  selectorOf(set: KObject): Selector | null;
}

const REPLICA_SET: SetKind = {
  controllerName: 'replicaset', component: 'replicaset-controller', apiVersion: 'apps/v1', kind: 'ReplicaSet',
  resource: findResource('apps', 'v1', 'replicasets')!,
  selectorOf: (rs) => selectorFromObject(rs.spec?.selector),
};

const REPLICATION_CONTROLLER: SetKind = {
  controllerName: 'replicationcontroller', component: 'replication-controller', apiVersion: 'v1', kind: 'ReplicationController',
  resource: findResource('', 'v1', 'replicationcontrollers')!,
  // A ReplicationController's selector is a plain map; an empty one selects nothing.
  selectorOf: (rc) => (rc.spec?.selector && Object.keys(rc.spec.selector).length ? selectorFromObject({ matchLabels: rc.spec.selector }) : null),
};

const keyOf = (o: KObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class ReplicaSetController extends BaseController {
  readonly expectations = new ControllerExpectations();
  private readonly sets: Lister;
  private readonly pods: Lister;
  private readonly podInformer: SharedInformer;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext, private readonly k: SetKind = REPLICA_SET) {
    super(k.controllerName, ctx, { workers: 5 });
    const setInformer = ctx.informers.informerFor(k.resource);
    setInformer.addIndexers({ [OWNER_UID_INDEX]: ownerUidIndexFunc });
    this.podInformer = ctx.informers.informerFor(pods);
    this.podInformer.addIndexers({ [OWNER_UID_INDEX]: ownerUidIndexFunc });
    this.sets = new Lister(setInformer.store);
    this.pods = new Lister(this.podInformer.store);
    this.recorder = new EventRecorder(ctx.client, { component: k.component, log: ctx.log });
    this.handle(setInformer, {
      onAdd: (s) => this.queue.add(keyOf(s)),
      onUpdate: (_o, s) => this.queue.add(keyOf(s)),
      onDelete: (s) => {
        this.expectations.delete(keyOf(s));
        this.queue.add(keyOf(s));
      },
    });
    this.handle(this.podInformer, {
      onAdd: (p) => this.podAdded(p),
      onUpdate: (o, p) => this.podUpdated(o, p),
      onDelete: (p) => this.podDeleted(p),
    });
  }

  /** The set a controller ownerReference names, if it is one of ours and still the same object. */
  private resolve(namespace: string, ref: KObject | undefined): KObject | undefined {
    if (!ref || ref.kind !== this.k.kind || ref.apiVersion?.split('/')[0] !== this.k.apiVersion.split('/')[0]) return undefined;
    const set = this.sets.get(namespace, ref.name);
    return set && set.metadata.uid === ref.uid ? set : undefined;
  }

  /** Sets in the pod's namespace whose selector matches it (for orphans). */
  private setsMatching(pod: KObject): KObject[] {
    return this.sets.list(pod.metadata.namespace).filter((s) => {
      const sel = this.k.selectorOf(s);
      return sel !== null && sel.length > 0 && matches(sel, pod.metadata.labels);
    });
  }

  private podAdded(pod: KObject): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllerRefOf(pod);
    if (ref) {
      const set = this.resolve(pod.metadata.namespace, ref);
      if (!set) return;
      this.expectations.creationObserved(keyOf(set));
      this.queue.add(keyOf(set));
      return;
    }
    for (const s of this.setsMatching(pod)) this.queue.add(keyOf(s));
  }

  private podUpdated(old: KObject, cur: KObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const set = this.resolve(old.metadata.namespace, oldRef);
      if (set) this.queue.add(keyOf(set));
    }
    if (curRef) {
      const set = this.resolve(cur.metadata.namespace, curRef);
      if (!set) return;
      this.queue.add(keyOf(set));
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(keyOf(set), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const s of this.setsMatching(cur)) this.queue.add(keyOf(s));
  }

  private podDeleted(pod: KObject): void {
    const set = this.resolve(pod.metadata.namespace, controllerRefOf(pod));
    if (!set) return;
    this.expectations.deletionObserved(keyOf(set), podKey(pod));
    this.queue.add(keyOf(set));
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.sets.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = this.k.selectorOf(cached);
    const active = this.pods.list(namespace).filter(isPodActive);
    const owned = await claimObjects(active, {
      client: this.ctx.client, resource: pods, owner: cached, ownerKind: this.k, ownerResource: this.k.resource,
      matches: (p) => selector !== null && selector.length > 0 && matches(selector, p.metadata.labels),
    });
    let manageErr: unknown;
    if (needsSync && !cached.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(owned, cached, key);
      } catch (err) {
        manageErr = err;
      }
    }
    const status = calculateStatus(cached, owned, manageErr);
    const updated = await this.updateStatus(cached, status);
    if (manageErr) throw manageErr;
    const want = updated.spec?.replicas ?? 1;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && updated.status?.readyReplicas === want && updated.status?.availableReplicas !== want) {
      return { requeueAfter: minReady * 1000 };
    }
    // Upstream's periodic resync brings a set back once unobserved expectations expire.
    if (!needsSync) return { requeueAfter: EXPECTATIONS_TIMEOUT_MS + 1000 };
  }

  private async manageReplicas(owned: KObject[], set: KObject, key: string): Promise<void> {
    const want = set.spec?.replicas ?? 1;
    let diff = owned.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, diff);
      const ref = newControllerRef(set, this.k);
      const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH, () => this.createPod(set, ref));
      for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, BURST_REPLICAS);
      const doomed = podsToDelete(owned, this.relatedPods(set), diff);
      this.expectations.expectDeletions(key, doomed.map(podKey));
      const results = await Promise.allSettled(doomed.map(async (pod) => {
        try {
          await this.ctx.client.delete(pods, pod.metadata.namespace, pod.metadata.name);
          void this.recorder.event(set, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, podKey(pod));
          if (isNotFound(err)) return;
          void this.recorder.event(set, 'Warning', 'FailedDelete', `Error deleting: ${errText(err)}`);
          throw err;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  private async createPod(set: KObject, ref: KObject): Promise<void> {
    const tpl = set.spec?.template;
    const labels = { ...(tpl?.metadata?.labels ?? {}) };
    if (!tpl || !Object.keys(labels).length) {
      const err = new Error('unable to create pods, no labels');
      void this.recorder.event(set, 'Warning', 'FailedCreate', `Error creating: ${err.message}`);
      throw err;
    }
    const metadata: KObject = { generateName: `${set.metadata.name}-`, labels, ownerReferences: [ref] };
    if (tpl.metadata?.annotations) metadata.annotations = { ...tpl.metadata.annotations };
    if (tpl.metadata?.finalizers) metadata.finalizers = [...tpl.metadata.finalizers];
    try {
      const pod = await this.ctx.client.create(pods, set.metadata.namespace, { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(tpl.spec) });
      void this.recorder.event(set, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    } catch (err) {
      // A namespace being torn down refuses every create: nothing to report.
      if (err instanceof ApiError && (err.status?.details?.causes as KObject[] | undefined)?.some((c) => c.reason === 'NamespaceTerminating')) return;
      void this.recorder.event(set, 'Warning', 'FailedCreate', `Error creating: ${errText(err)}`);
      throw err;
    }
  }

  /** Active pods of every set that shares this set's controller (for the doubled-up rank). */
  private relatedPods(set: KObject): KObject[] {
    const ref = controllerRefOf(set);
    if (!ref) return [];
    const siblings = this.sets.byIndex(OWNER_UID_INDEX, ref.uid).filter((s) => controllerRefOf(s)?.uid === ref.uid);
    const out: KObject[] = [];
    for (const s of siblings) {
      for (const p of this.pods.byIndex(OWNER_UID_INDEX, s.metadata.uid)) if (controllerRefOf(p)?.uid === s.metadata.uid) out.push(p);
    }
    return out;
  }

  private async updateStatus(set: KObject, status: KObject): Promise<KObject> {
    const s = set.status ?? {};
    const gen = set.metadata.generation ?? 0;
    if ((s.replicas ?? 0) === status.replicas && (s.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas
      && (s.readyReplicas ?? 0) === status.readyReplicas && (s.availableReplicas ?? 0) === status.availableReplicas
      && (s.observedGeneration ?? 0) === gen && JSON.stringify(s.conditions ?? []) === JSON.stringify(status.conditions ?? [])) {
      return set;
    }
    let current = set;
    for (let i = 0; ; i++) {
      const next = { ...current, status: omitZeros({ ...status, observedGeneration: current.metadata.generation ?? gen }) };
      try {
        return await this.ctx.client.updateStatus(this.k.resource, next);
      } catch (err) {
        if (i >= STATUS_UPDATE_RETRIES || !isConflict(err)) throw err;
        current = await this.ctx.client.get(this.k.resource, set.metadata.namespace, set.metadata.name);
      }
    }
  }
}

/** Status as upstream serialises it: every count but replicas is omitted when zero. */
function omitZeros(status: KObject): KObject {
  const out: KObject = { replicas: status.replicas ?? 0 };
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) if (status[f]) out[f] = status[f];
  if (status.conditions?.length) out.conditions = status.conditions;
  return out;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The set's status from its active pods; ReplicaFailure records a failed create or delete. */
export function calculateStatus(set: KObject, owned: KObject[], manageErr: unknown, at: number = Date.now()): KObject {
  const tplLabels: Record<string, string> = set.spec?.template?.metadata?.labels ?? {};
  const minReady = set.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of owned) {
    const l = p.metadata?.labels ?? {};
    if (Object.entries(tplLabels).every(([k, v]) => l[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, at)) available++;
    }
  }
  let conditions: KObject[] = [...(set.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = owned.length - (set.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: now(), reason, message: errText(manageErr) });
  } else if (!manageErr && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: KObject = {
    replicas: owned.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available,
    observedGeneration: set.status?.observedGeneration ?? 0,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

export function newReplicaSetController(ctx: ControllerContext): ReplicaSetController {
  return new ReplicaSetController(ctx, REPLICA_SET);
}

export function newReplicationControllerController(ctx: ControllerContext): ReplicaSetController {
  return new ReplicaSetController(ctx, REPLICATION_CONTROLLER);
}
