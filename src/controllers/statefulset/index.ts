/**
 * controllers/statefulset/: the StatefulSet controller (registered as `statefulset`), as upstream's
 * (1.32): pods `<set>-<ordinal>` from spec.ordinals.start with hostname/subdomain and the
 * pod-name, pod-index and controller-revision-hash labels; per-ordinal claims from
 * volumeClaimTemplates created before their pod; OrderedReady (one pod at a time, each Running
 * and Ready — and available for minReadySeconds — before the next; scale-down from the highest
 * ordinal, one at a time) and Parallel management; RollingUpdate from the highest ordinal down
 * to the partition, waiting for each pod to be healthy, and OnDelete; ControllerRevisions (see
 * ../history.ts) with rollback and revisionHistoryLimit; persistentVolumeClaimRetentionPolicy
 * through ownerReferences on the claims (the garbage collector deletes them); status.
 * May import src/client/, src/api/, src/machinery/ and the shared controller files.
 */
import { findResource } from '../../api/resources.js';
import type { SharedInformer } from '../../client/informer.js';
import { Lister } from '../../client/lister.js';
import { ApiError, isConflict, isNotFound, type KObject } from '../../client/rest-client.js';
import { matches, selectorFromObject, type Selector } from '../../machinery/labels.js';
import { BaseController, type ControllerContext, type ReconcileResult } from '../framework.js';
import {
  applyRevision, controllerRef, createRevision, findEqualRevisions, isControlledBy, newRevision, nextRevision,
  sortRevisions, truncateHistory, updateRevisionNumber, CONTROLLER_REVISIONS,
} from '../history.js';
import { controllerRefOf } from '../owner-claim.js';
import { isFinished, isPodAvailable, isRunningAndReady, isTerminating, msUntilAvailable } from '../pod-readiness.js';
import {
  claimOwnerRefs, claimsFor, identityMatches, inOrdinalRange, newStatefulPod, ordinalOf, podRevision,
  POD_INDEX_LABEL, POD_NAME_LABEL, replicasOf, startOrdinal,
} from './identity.js';

const STATEFULSETS = findResource('apps', 'v1', 'statefulsets')!;
const PODS = findResource('', 'v1', 'pods')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;

interface Replica {
  ordinal: number;
  pod: KObject;
  /** Exists in the API (not only built here). */
  created: boolean;
}

interface SetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

const isHealthy = (pod: KObject): boolean => isRunningAndReady(pod) && !isTerminating(pod);

export class StatefulSetController extends BaseController {
  private readonly sets: Lister;
  private readonly pods: Lister;
  private readonly revisions: Lister;
  private readonly claims: Lister;

  constructor(ctx: ControllerContext) {
    super('statefulset', ctx, { workers: 4 });
    const setInf = ctx.informers.informerFor(STATEFULSETS);
    const podInf = ctx.informers.informerFor(PODS);
    const revInf = ctx.informers.informerFor(CONTROLLER_REVISIONS);
    const pvcInf = ctx.informers.informerFor(PVCS);
    this.sets = new Lister(setInf.store);
    this.pods = new Lister(podInf.store);
    this.revisions = new Lister(revInf.store);
    this.claims = new Lister(pvcInf.store);
    this.watch(setInf);
    this.watchOwned(podInf, true);
    this.watchOwned(revInf, false);
    this.handle(pvcInf, {});
  }

  /** Events on pods/revisions enqueue their controlling StatefulSet (or, for orphan pods, the sets that may adopt them). */
  private watchOwned(inf: SharedInformer, orphans: boolean): void {
    const enqueue = (o: KObject): void => {
      const ref = controllerRefOf(o);
      if (ref) {
        if (ref.kind === 'StatefulSet' && String(ref.apiVersion).startsWith('apps/')) this.queue.add(`${o.metadata.namespace}/${ref.name}`);
        return;
      }
      if (!orphans || o.metadata?.deletionTimestamp) return;
      for (const set of this.sets.list(o.metadata.namespace)) {
        if (matches(selectorOf(set), o.metadata.labels)) this.queue.add(`${set.metadata.namespace}/${set.metadata.name}`);
      }
    };
    this.handle(inf, { onAdd: enqueue, onUpdate: (old, o) => { enqueue(old); enqueue(o); }, onDelete: enqueue });
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/');
    const set = this.sets.get(ns, name);
    if (!set || set.metadata.deletionTimestamp) return;
    const selector = selectorOf(set);
    const pods = await this.claimPods(set, selector);
    const revs = await this.claimRevisions(set, selector);
    const { current, update, collisionCount } = await this.setRevisions(set, revs);
    const status = await this.updatePods(set, current, update, collisionCount, pods);
    await this.writeStatus(set, status);
    const live = new Set<string>([current.metadata.name, update.metadata.name]);
    for (const p of this.pods.list(ns)) if (isControlledBy(p, set) && podRevision(p)) live.add(podRevision(p)!);
    const owned = this.revisions.list(ns).filter((r) => isControlledBy(r, set));
    await truncateHistory(this.ctx.client, owned, live, Number(set.spec?.revisionHistoryLimit ?? 10));
    const minReady = Number(set.spec?.minReadySeconds ?? 0);
    if (minReady > 0 && status.readyReplicas !== status.availableReplicas) {
      const wait = Math.min(...pods.map((p) => msUntilAvailable(p, minReady)).filter((ms) => ms > 0), minReady * 1000);
      return { requeueAfter: wait + 50 };
    }
  }

  /** Pods the set controls, adopting orphans named like its pods and matching its selector. */
  private async claimPods(set: KObject, selector: Selector | null): Promise<KObject[]> {
    const out: KObject[] = [];
    for (const pod of this.pods.list(set.metadata.namespace)) {
      if (isControlledBy(pod, set)) out.push(pod);
      else if (!controllerRefOf(pod) && !pod.metadata.deletionTimestamp && ordinalOf(set, pod) >= 0 && matches(selector, pod.metadata.labels)) {
        out.push(await this.adopt(PODS, set, pod));
      }
    }
    return out;
  }

  private async claimRevisions(set: KObject, selector: Selector | null): Promise<KObject[]> {
    const out: KObject[] = [];
    for (const rev of this.revisions.list(set.metadata.namespace)) {
      if (isControlledBy(rev, set)) out.push(rev);
      else if (!controllerRefOf(rev) && !rev.metadata.deletionTimestamp && matches(selector, rev.metadata.labels)) {
        out.push(await this.adopt(CONTROLLER_REVISIONS, set, rev));
      }
    }
    return out;
  }

  private adopt(r: typeof PODS, set: KObject, obj: KObject): Promise<KObject> {
    return this.ctx.client.patch(r, obj.metadata.namespace, obj.metadata.name, 'strategic', {
      metadata: { ownerReferences: [controllerRef(set, 'StatefulSet')], uid: obj.metadata.uid },
    });
  }

  /** upstream getStatefulSetRevisions: the current and update revisions, creating or renumbering the update one. */
  private async setRevisions(set: KObject, revs: KObject[]): Promise<{ current: KObject; update: KObject; collisionCount: number }> {
    const sorted = sortRevisions(revs);
    let collisionCount = Number(set.status?.collisionCount ?? 0);
    const wanted = newRevision(set, {
      kind: 'StatefulSet', revision: nextRevision(sorted), collisionCount, annotations: set.metadata.annotations,
    });
    const equal = findEqualRevisions(sorted, wanted);
    let update: KObject;
    if (equal.length && equal[equal.length - 1].metadata.name === sorted[sorted.length - 1].metadata.name) {
      update = sorted[sorted.length - 1];
    } else if (equal.length) {
      update = await updateRevisionNumber(this.ctx.client, equal[equal.length - 1], wanted.revision);
    } else {
      ({ revision: update, collisionCount } = await createRevision(this.ctx.client, wanted, collisionCount));
    }
    const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** upstream updateStatefulSet: create, repair, scale down, roll — and the status that results. */
  private async updatePods(set: KObject, current: KObject, update: KObject, collisionCount: number, pods: KObject[]): Promise<SetStatus> {
    const currentSet = applyRevision(set, current);
    const updateSet = applyRevision(set, update);
    const curName = current.metadata.name as string;
    const updName = update.metadata.name as string;
    const minReady = Number(set.spec?.minReadySeconds ?? 0);
    const status: SetStatus = {
      observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0,
      availableReplicas: 0, currentRevision: curName, updateRevision: updName, collisionCount,
    };
    const count = (pod: KObject, d: 1 | -1): void => {
      status.replicas += d;
      if (podRevision(pod) === curName) status.currentReplicas += d;
      if (podRevision(pod) === updName) status.updatedReplicas += d;
    };
    const start = startOrdinal(set);
    const n = replicasOf(set);
    const replicas: (Replica | undefined)[] = new Array(n).fill(undefined);
    const condemned: Replica[] = [];
    for (const pod of pods) {
      count(pod, 1);
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isPodAvailable(pod, minReady)) status.availableReplicas++;
      }
      const ord = ordinalOf(set, pod);
      if (ord < 0) continue;
      if (inOrdinalRange(set, ord)) replicas[ord - start] = { ordinal: ord, pod, created: true };
      else condemned.push({ ordinal: ord, pod, created: true });
    }
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition;
    const rolling = set.spec?.updateStrategy?.type !== 'OnDelete';
    const versioned = (ord: number): KObject => {
      const useCurrent = rolling && (partition === undefined || partition === null
        ? ord < start + Number(set.status?.currentReplicas ?? 0)
        : ord < start + Number(partition));
      return useCurrent ? newStatefulPod(currentSet, ord, curName) : newStatefulPod(updateSet, ord, updName);
    };
    for (let i = 0; i < n; i++) replicas[i] ??= { ordinal: start + i, pod: versioned(start + i), created: false };
    condemned.sort((a, b) => b.ordinal - a.ordinal);
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const all = replicas as Replica[];

    let firstUnhealthy: Replica | undefined = all.find((r) => !r.created || !isHealthy(r.pod));
    if (!firstUnhealthy) for (let i = condemned.length - 1; i >= 0; i--) if (!isHealthy(condemned[i].pod)) { firstUnhealthy = condemned[i]; break; }

    // Create, replace and repair the pods in range (in ordinal order when monotonic).
    const processReplica = async (r: Replica): Promise<boolean> => {
      if (r.created && isFinished(r.pod)) {
        if (!isTerminating(r.pod)) await this.deletePod(r.pod);
        return true;
      }
      if (!r.created) {
        await this.createClaims(set, r.ordinal);
        await this.createPod(r.pod);
        count(r.pod, 1);
        return monotonic;
      }
      if (r.pod.status?.phase === 'Pending' || !r.pod.status?.phase) await this.createClaims(set, r.ordinal);
      if (isTerminating(r.pod) && monotonic) return true;
      if (!isRunningAndReady(r.pod) && monotonic) return true;
      if (!isPodAvailable(r.pod, minReady) && monotonic) return true;
      await this.enforceIdentity(updateSet, r);
      return false;
    };
    if (monotonic) {
      for (const r of all) if (await processReplica(r)) return status;
    } else {
      const exits = await Promise.all(all.map(processReplica));
      if (exits.some(Boolean)) return status;
    }

    // Claims of condemned pods follow the retention policy before the pods go.
    for (const c of condemned) await this.fixClaimOwners(set, c.pod, c.ordinal);

    // Scale down from the highest ordinal (one at a time when monotonic, after all in range are healthy).
    const processCondemned = async (c: Replica): Promise<boolean> => {
      if (isTerminating(c.pod)) return monotonic;
      if (monotonic && !isRunningAndReady(c.pod) && c !== firstUnhealthy) return true;
      if (monotonic && !isPodAvailable(c.pod, minReady) && c !== firstUnhealthy) return true;
      await this.deletePod(c.pod);
      if (podRevision(c.pod) === curName) status.currentReplicas--;
      if (podRevision(c.pod) === updName) status.updatedReplicas--;
      status.replicas--;
      return monotonic;
    };
    if (monotonic) {
      for (const c of condemned) if (await processCondemned(c)) return status;
    } else {
      const exits = await Promise.all(condemned.map(processCondemned));
      if (exits.some(Boolean)) return status;
    }

    if (!rolling) return status;
    // RollingUpdate: replace the highest-ordinal pod not at the update revision, down to the partition.
    const updateMin = Number(partition ?? 0);
    for (let t = all.length - 1; t >= updateMin; t--) {
      const r = all[t];
      if (podRevision(r.pod) !== updName && !isTerminating(r.pod)) {
        await this.deletePod(r.pod);
        if (podRevision(r.pod) === curName) status.currentReplicas--;
        return status;
      }
      if (!isHealthy(r.pod)) return status;
    }
    return status;
  }

  private async createClaims(set: KObject, ordinal: number): Promise<void> {
    for (const claim of claimsFor(set, ordinal).values()) {
      const existing = this.claims.get(set.metadata.namespace, claim.metadata.name);
      if (existing) {
        if (existing.metadata.deletionTimestamp) throw new Error(`pvc ${claim.metadata.name} is being deleted`);
        continue;
      }
      const refs = claimOwnerRefs(set, claim, undefined, ordinal);
      if (refs?.length) claim.metadata.ownerReferences = refs;
      try {
        await this.ctx.client.create(PVCS, set.metadata.namespace, claim);
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) {
          throw new Error(`create Claim ${claim.metadata.name} for Pod ${set.metadata.name}-${ordinal} in StatefulSet ${set.metadata.name} failed`, { cause: err });
        }
      }
    }
  }

  private async createPod(pod: KObject): Promise<void> {
    try {
      await this.ctx.client.create(PODS, pod.metadata.namespace, pod);
    } catch (err) {
      // The cache has not seen our earlier create yet; the next event brings us back.
      if (err instanceof ApiError && err.reason === 'AlreadyExists') return;
      throw err;
    }
  }

  private async deletePod(pod: KObject): Promise<void> {
    try {
      await this.ctx.client.delete(PODS, pod.metadata.namespace, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Labels of identity, missing claims and claim ownership (upstream's updateStatefulPod). */
  private async enforceIdentity(set: KObject, r: Replica): Promise<void> {
    if (!identityMatches(set, r.pod, r.ordinal)) {
      await this.ctx.client.patch(PODS, r.pod.metadata.namespace, r.pod.metadata.name, 'merge', {
        metadata: { labels: { [POD_NAME_LABEL]: r.pod.metadata.name, [POD_INDEX_LABEL]: String(r.ordinal) } },
      });
    }
    await this.createClaims(set, r.ordinal);
    await this.fixClaimOwners(set, r.pod, r.ordinal);
  }

  private async fixClaimOwners(set: KObject, pod: KObject, ordinal: number): Promise<void> {
    for (const want of claimsFor(set, ordinal).values()) {
      const claim = this.claims.get(set.metadata.namespace, want.metadata.name);
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const refs = claimOwnerRefs(set, claim, pod, ordinal);
      if (!refs) continue;
      await this.ctx.client.patch(PVCS, claim.metadata.namespace, claim.metadata.name, 'merge', {
        metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: claim.metadata.resourceVersion },
      });
    }
  }

  private async writeStatus(set: KObject, s: SetStatus): Promise<void> {
    // upstream completeRollingUpdate: once every pod is updated and ready, the update revision is current.
    if (set.spec?.updateStrategy?.type !== 'OnDelete' && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
      s.currentReplicas = s.updatedReplicas;
      s.currentRevision = s.updateRevision;
    }
    const old: KObject = set.status ?? {};
    const next: KObject = { ...old, ...s };
    // Go omits these when zero (omitempty); replicas, availableReplicas and collisionCount are always written.
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (!next[k]) delete next[k];
    const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
    if ([...keys].every((k) => JSON.stringify(old[k]) === JSON.stringify(next[k]))) return;
    try {
      await this.ctx.client.updateStatus(STATEFULSETS, { ...set, status: next });
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return; // a newer set brings another reconcile
      throw err;
    }
  }
}

function selectorOf(set: KObject): Selector | null {
  try {
    return selectorFromObject(set.spec?.selector);
  } catch {
    return null;
  }
}
