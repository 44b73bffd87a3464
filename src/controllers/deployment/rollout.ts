/**
 * One deployment sync, as upstream's syncDeployment: paused deployments and scaling events only
 * scale (proportionally during a rollout); otherwise a RollingUpdate (scale the new ReplicaSet
 * up within maxSurge, the old ones down within maxUnavailable, unhealthy old replicas first) or
 * a Recreate (old ReplicaSets to zero, wait until their pods are gone, then the new one) step;
 * old ReplicaSets beyond revisionHistoryLimit are deleted once the rollout is complete; status
 * and the Available / Progressing / ReplicaFailure conditions are recomputed and written.
 */
import type { KObject } from '../../client/rest-client.js';
import type { ReconcileResult } from '../framework.js';
import { canonicalJson } from './hash.js';
import {
  DESIRED_REPLICAS_ANNOTATION, Reason, activeReplicaSets, availableReplicas, byCreation, byRevision, bySize,
  deploymentComplete, deploymentProgressing, deploymentTimedOut, findActiveOrLatest, getCondition, hasProgressDeadline,
  hasRevisionHistoryLimit, isRollingUpdate, isSaturated, maxSurge, maxUnavailable, newCondition, newRSNewReplicas,
  readyReplicas, removeCondition, replicaSetProportion, replicasOf, setCondition, specReplicas, statusReplicas,
  type Condition,
} from './util.js';

export interface DeploymentOps {
  readonly recorder: { event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void };
  getAllReplicaSetsAndSyncRevision(d: KObject, rsList: KObject[], create: boolean): Promise<[KObject | undefined, KObject[]]>;
  scaleReplicaSetAndRecordEvent(rs: KObject, newScale: number, d: KObject): Promise<[boolean, KObject]>;
  scaleReplicaSet(rs: KObject, newScale: number, d: KObject, op: string): Promise<[boolean, KObject]>;
  deleteReplicaSet(rs: KObject): Promise<void>;
  writeStatus(d: KObject, status: KObject): Promise<void>;
}

type RS = KObject | undefined;

export async function syncDeployment(c: DeploymentOps, d: KObject, rsList: KObject[], podMap: Map<string, KObject[]>): Promise<ReconcileResult> {
  if (d.metadata.deletionTimestamp) {
    const [newRS, oldRSs] = await c.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    return syncDeploymentStatus(c, [...oldRSs, newRS], newRS, d);
  }
  await checkPausedConditions(c, d);
  if (d.spec.paused) return sync(c, d, rsList);
  if (await isScalingEvent(c, d, rsList)) return sync(c, d, rsList);
  return d.spec.strategy?.type === 'Recreate' ? rolloutRecreate(c, d, rsList, podMap) : rolloutRolling(c, d, rsList);
}

async function checkPausedConditions(c: DeploymentOps, d: KObject): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === Reason.TimedOut) return;
  const pausedCond = cond?.reason === Reason.Paused;
  let update = false;
  d.status ??= {};
  if (d.spec.paused && !pausedCond) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', Reason.Paused, 'Deployment is paused'));
    update = true;
  } else if (!d.spec.paused && pausedCond) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', Reason.Resumed, 'Deployment is resumed'));
    update = true;
  }
  if (update) await c.writeStatus(d, d.status);
}

async function isScalingEvent(c: DeploymentOps, d: KObject, rsList: KObject[]): Promise<boolean> {
  const [newRS, oldRSs] = await c.getAllReplicaSetsAndSyncRevision(d, rsList, false);
  for (const rs of activeReplicaSets([...oldRSs, newRS])) {
    const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    if (desired === undefined || !/^[+-]?\d+$/.test(desired)) continue;
    if (Number(desired) !== replicasOf(d)) return true;
  }
  return false;
}

/** Scaling only (paused deployments and scaling events). */
async function sync(c: DeploymentOps, d: KObject, rsList: KObject[]): Promise<ReconcileResult> {
  const [newRS, oldRSs] = await c.getAllReplicaSetsAndSyncRevision(d, rsList, false);
  await scale(c, d, newRS, oldRSs);
  if (d.spec.paused) await cleanupDeployment(c, oldRSs, d);
  return syncDeploymentStatus(c, [...oldRSs, newRS], newRS, d);
}

/** Proportional scaling: spread a change of spec.replicas over the active sets by size. */
async function scale(c: DeploymentOps, d: KObject, newRS: RS, oldRSs: KObject[]): Promise<void> {
  const want = replicasOf(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) !== want) await c.scaleReplicaSetAndRecordEvent(activeOrLatest, want, d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) await c.scaleReplicaSetAndRecordEvent(old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  let op = '';
  if (toAdd > 0) {
    all.sort(bySize(true));
    op = 'up';
  } else if (toAdd < 0) {
    all.sort(bySize(false));
    op = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = replicaSetProportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.name, replicasOf(rs) + p);
      added += p;
    } else sizes.set(rs.metadata.name, replicasOf(rs));
  }
  for (let i = 0; i < all.length; i++) {
    const rs = all[i];
    if (i === 0 && toAdd !== 0) sizes.set(rs.metadata.name, Math.max(0, sizes.get(rs.metadata.name)! + toAdd - added));
    await c.scaleReplicaSet(rs, sizes.get(rs.metadata.name)!, d, op);
  }
}

async function rolloutRolling(c: DeploymentOps, d: KObject, rsList: KObject[]): Promise<ReconcileResult> {
  const [newRS, oldRSs] = await c.getAllReplicaSetsAndSyncRevision(d, rsList, true);
  const allRSs = [...oldRSs, newRS];
  if (newRS && await reconcileNewReplicaSet(c, allRSs, newRS, d)) return syncRolloutStatus(c, allRSs, newRS, d);
  if (newRS && await reconcileOldReplicaSets(c, allRSs, activeReplicaSets(oldRSs), newRS, d)) return syncRolloutStatus(c, allRSs, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(c, oldRSs, d);
  return syncRolloutStatus(c, allRSs, newRS, d);
}

async function reconcileNewReplicaSet(c: DeploymentOps, allRSs: RS[], newRS: KObject, d: KObject): Promise<boolean> {
  const want = replicasOf(d);
  if (replicasOf(newRS) === want) return false;
  if (replicasOf(newRS) > want) return (await c.scaleReplicaSetAndRecordEvent(newRS, want, d))[0];
  const count = newRSNewReplicas(d, allRSs.filter((r): r is KObject => !!r), newRS);
  return (await c.scaleReplicaSetAndRecordEvent(newRS, count, d))[0];
}

async function reconcileOldReplicaSets(c: DeploymentOps, allRSs: RS[], oldRSs: KObject[], newRS: KObject, d: KObject): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const [cleaned, cleanupCount] = await cleanupUnhealthyReplicas(c, oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(c, [...cleaned, newRS], cleaned, d);
  return cleanupCount + scaledDown > 0;
}

/** Scales old sets down by their unavailable replicas first (oldest first), up to max. */
async function cleanupUnhealthyReplicas(c: DeploymentOps, oldRSs: KObject[], d: KObject, max: number): Promise<[KObject[], number]> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (total >= max) break;
    const rs = sorted[i];
    const want = replicasOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (want === 0 || want === available) continue;
    const n = Math.min(max - total, want - available);
    const [, updated] = await c.scaleReplicaSetAndRecordEvent(rs, want - n, d);
    total += n;
    sorted[i] = updated;
  }
  return [sorted, total];
}

async function scaleDownOldReplicaSetsForRollingUpdate(c: DeploymentOps, allRSs: RS[], oldRSs: KObject[], d: KObject): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicas(allRSs);
  if (available <= minAvailable) return 0;
  const total = available - minAvailable;
  let done = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (done >= total) break;
    if (replicasOf(rs) === 0) continue;
    const n = Math.min(replicasOf(rs), total - done);
    await c.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - n, d);
    done += n;
  }
  return done;
}

async function rolloutRecreate(c: DeploymentOps, d: KObject, rsList: KObject[], podMap: Map<string, KObject[]>): Promise<ReconcileResult> {
  let [newRS, oldRSs] = await c.getAllReplicaSetsAndSyncRevision(d, rsList, false);
  let allRSs: RS[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    if ((await c.scaleReplicaSetAndRecordEvent(rs, 0, d))[0]) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(c, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(c, allRSs, newRS, d);
  if (!newRS) {
    [newRS, oldRSs] = await c.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await c.scaleReplicaSetAndRecordEvent(newRS, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(c, oldRSs, d);
  return syncRolloutStatus(c, allRSs, newRS, d);
}

/** Old sets still report pods, or pods of theirs are not finished (terminating ones count). */
export function oldPodsRunning(newRS: RS, oldRSs: KObject[], podMap: Map<string, KObject[]>): boolean {
  if (statusReplicas(oldRSs) > 0) return true;
  for (const [uid, list] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const p of list) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}

/** Deletes the oldest revisions beyond revisionHistoryLimit (only sets scaled to and at zero). */
async function cleanupDeployment(c: DeploymentOps, oldRSs: KObject[], d: KObject): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => rs && !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - d.spec.revisionHistoryLimit;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    await c.deleteReplicaSet(rs);
  }
}

/** Status fields as upstream serialises them (every field omitted when zero). */
function statusObject(s: Record<string, unknown>): KObject {
  const out: KObject = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || v === null || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

export function calculateStatus(allRSs: RS[], newRS: RS, d: KObject): KObject {
  const available = availableReplicas(allRSs);
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  const status = statusObject({
    observedGeneration: d.metadata.generation,
    replicas: statusReplicas(allRSs),
    updatedReplicas: statusReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    collisionCount: d.status?.collisionCount,
  });
  status.conditions = (d.status?.conditions ?? []).map((x: Condition) => ({ ...x }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.'));
  }
  return status;
}

async function syncDeploymentStatus(c: DeploymentOps, allRSs: RS[], newRS: RS, d: KObject): Promise<ReconcileResult> {
  const status = calculateStatus(allRSs, newRS, d);
  if (canonicalJson(d.status ?? {}) === canonicalJson(status)) return;
  await c.writeStatus(d, status);
}

function replicaFailures(allRSs: RS[], newRS: RS): Condition[] {
  const toDeployment = (x: KObject): Condition => ({
    type: 'ReplicaFailure', status: x.status, lastUpdateTime: x.lastTransitionTime, lastTransitionTime: x.lastTransitionTime, reason: x.reason, message: x.message,
  });
  const fromNew = (newRS?.status?.conditions ?? []).filter((x: KObject) => x.type === 'ReplicaFailure').map(toDeployment);
  if (fromNew.length) return fromNew;
  const out: Condition[] = [];
  for (const rs of allRSs) for (const x of rs?.status?.conditions ?? []) if (x.type === 'ReplicaFailure') out.push(toDeployment(x));
  return out;
}

async function syncRolloutStatus(c: DeploymentOps, allRSs: RS[], newRS: RS, d: KObject): Promise<ReconcileResult> {
  const status = calculateStatus(allRSs, newRS, d);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === Reason.NewRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const name = d.metadata.name;
    if (deploymentComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(status, newCondition('Progressing', 'True', Reason.NewRSAvailable, msg));
    } else if (deploymentProgressing(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${name}" is progressing.`;
      const cond = newCondition('Progressing', 'True', Reason.ReplicaSetUpdated, msg);
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', Reason.TimedOut, msg));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures.length) setCondition(status, failures[0]);
  else removeCondition(status, 'ReplicaFailure');
  if (!status.conditions?.length) delete status.conditions;

  if (canonicalJson(d.status ?? {}) === canonicalJson(status)) return requeueStuck(d, status);
  await c.writeStatus(d, status);
}

/** When a rollout shows no progress, look again when its progress deadline would pass. */
function requeueStuck(d: KObject, status: KObject): ReconcileResult {
  const cond = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !cond) return;
  if (deploymentComplete(d, status) || cond.reason === Reason.TimedOut) return;
  const after = Date.parse(cond.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds * 1000 - Date.now();
  return { requeueAfter: Number.isFinite(after) ? Math.max(after, 1000) : 1000 };
}
