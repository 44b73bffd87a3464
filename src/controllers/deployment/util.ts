/**
 * Pure pieces of the deployment controller (upstream's deploymentutil): maxSurge/maxUnavailable
 * resolution and rounding, revision and replica annotations, ReplicaSet ordering, finding the
 * new and old ReplicaSets, proportional-scaling arithmetic, and the Progressing/Available
 * condition helpers with upstream's reasons.
 */
import type { KObject } from '../../client/rest-client.js';
import { canonicalJson } from './hash.js';

export const DEFAULT_UNIQUE_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const MAX_REV_HISTORY_CHARS = 2000;
export const MAX_INT32 = 2147483647;

/** Condition reasons, as upstream. */
export const Reason = {
  NewRSCreated: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  FailedRSCreate: 'ReplicaSetCreateError',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

const SKIP_COPY = new Set([LAST_APPLIED, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO]);

export const replicasOf = (o: KObject | undefined): number => o?.spec?.replicas ?? 1;
const ts = (o: KObject): number => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;

/** intstr.GetScaledValueFromIntOrPercent: an int as is, "N%" of total rounded up or down. */
export function scaledValue(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const s = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  const x = (Number(s) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** [maxSurge, maxUnavailable] for `desired` replicas; both zero → maxUnavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export const isRollingUpdate = (d: KObject): boolean => d.spec?.strategy?.type === 'RollingUpdate';

export function maxSurge(d: KObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: KObject): number {
  const want = replicasOf(d);
  if (!isRollingUpdate(d) || want === 0) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return Math.min(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, want)[1], want);
}

export function revisionOf(o: KObject | undefined): number | undefined {
  const v = o?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export function maxRevision(rss: KObject[]): number {
  let max = 0;
  for (const rs of rss) max = Math.max(max, revisionOf(rs) ?? 0);
  return max;
}

/** Oldest first; ties by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: KObject, b: KObject): number {
  const d = ts(a) - ts(b);
  return d !== 0 ? d : String(a.metadata.name).localeCompare(String(b.metadata.name));
}

/** Lowest revision first; ties by creation (ReplicaSetsByRevision). */
export function byRevision(a: KObject, b: KObject): number {
  const d = (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0);
  return d !== 0 ? d : byCreation(a, b);
}

/** Larger first; equal sizes newer first (scaling up) or older first (scaling down). */
export function bySize(newer: boolean): (a: KObject, b: KObject) => number {
  return (a, b) => {
    const d = replicasOf(b) - replicasOf(a);
    if (d !== 0) return d;
    return newer ? byCreation(b, a) : byCreation(a, b);
  };
}

export const activeReplicaSets = (rss: (KObject | undefined)[]): KObject[] => rss.filter((r): r is KObject => !!r && replicasOf(r) > 0);
export const specReplicas = (rss: (KObject | undefined)[]): number => rss.reduce((n, r) => n + (r ? replicasOf(r) : 0), 0);
export const statusReplicas = (rss: (KObject | undefined)[]): number => rss.reduce((n, r) => n + (r?.status?.replicas ?? 0), 0);
export const readyReplicas = (rss: (KObject | undefined)[]): number => rss.reduce((n, r) => n + (r?.status?.readyReplicas ?? 0), 0);
export const availableReplicas = (rss: (KObject | undefined)[]): number => rss.reduce((n, r) => n + (r?.status?.availableReplicas ?? 0), 0);

function withoutHash(template: KObject | undefined): KObject {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[DEFAULT_UNIQUE_LABEL];
  return t;
}

/** Templates equal once pod-template-hash is removed from both (EqualIgnoreHash). */
export function equalIgnoreHash(a: KObject | undefined, b: KObject | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

/** The oldest ReplicaSet whose template equals the deployment's. */
export function findNewReplicaSet(d: KObject, rss: KObject[]): KObject | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: KObject, rss: KObject[]): KObject[] {
  const n = findNewReplicaSet(d, rss);
  return rss.filter((rs) => !n || rs.metadata.uid !== n.metadata.uid);
}

/** Copies the deployment's annotations (but revision, replica and last-applied ones) onto the set. */
export function copyDeploymentAnnotations(d: KObject, rs: KObject): boolean {
  let changed = false;
  rs.metadata.annotations ??= {};
  for (const [k, v] of Object.entries<string>(d.metadata?.annotations ?? {})) {
    if (SKIP_COPY.has(k) || rs.metadata.annotations[k] === v) continue;
    rs.metadata.annotations[k] = v;
    changed = true;
  }
  return changed;
}

export function setReplicasAnnotations(rs: KObject, desired: number, max: number): boolean {
  rs.metadata.annotations ??= {};
  const a = rs.metadata.annotations;
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KObject, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * Copies annotations and raises the set's revision to newRevision when it is lower; a set that
 * had a revision keeps the old one in revision-history (a rollback to it). New sets also get the
 * replica annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: KObject, rs: KObject, newRevision: number, exists: boolean, limitChars = MAX_REV_HISTORY_CHARS): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = rs.metadata.annotations;
  const oldRevision: string | undefined = a[REVISION_ANNOTATION];
  let oldInt = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (oldInt < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
  }
  if (oldRevision !== undefined && oldInt < newRevision) {
    const history: string = a[REVISION_HISTORY_ANNOTATION] ?? '';
    let old = history.split(',');
    if (old[0].length === 0) {
      a[REVISION_HISTORY_ANNOTATION] = oldRevision;
    } else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > limitChars && start < old.length) {
        total -= old[start].length + 1;
        start++;
      }
      if (total <= limitChars) {
        old = [...old.slice(start), oldRevision];
        a[REVISION_HISTORY_ANNOTATION] = old.join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** The new set's size after one rolling step (or the full size for Recreate). */
export function newRSNewReplicas(d: KObject, allRSs: KObject[], newRS: KObject): number {
  const want = replicasOf(d);
  if (!isRollingUpdate(d)) return want;
  const total = want + scaledValue(d.spec.strategy.rollingUpdate?.maxSurge ?? 0, want, true);
  const current = specReplicas(allRSs);
  if (current >= total) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(total - current, want - replicasOf(newRS));
}

/** The only active set, or the newest when none is active; undefined when several are active. */
export function findActiveOrLatest(newRS: KObject | undefined, oldRSs: KObject[]): KObject | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

export function isSaturated(d: KObject, rs: KObject | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  if (desired === undefined || !/^[+-]?\d+$/.test(desired)) return false;
  const want = replicasOf(d);
  return replicasOf(rs) === want && Number(desired) === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

function replicaSetFraction(rs: KObject, d: KObject): number {
  const want = replicasOf(d);
  if (want === 0) return -replicasOf(rs);
  const maxNow = want + maxSurge(d);
  const ann = rs.metadata?.annotations?.[MAX_REPLICAS_ANNOTATION];
  let before = ann !== undefined && /^[+-]?\d+$/.test(ann) ? Number(ann) : 0;
  if (!before) before = d.status?.replicas ?? 0;
  if (!before) return 0;
  return roundHalfAway((replicasOf(rs) * maxNow) / before) - replicasOf(rs);
}

/** How many replicas of `toAdd` (negative: to remove) this set takes, given `added` so far. */
export function replicaSetProportion(rs: KObject | undefined, d: KObject, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

// ---- conditions ----

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const rfc3339 = (t: number = Date.now()): string => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, now: number = Date.now()): Condition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: KObject | undefined, type: string): Condition | undefined {
  return (status?.conditions ?? []).find((c: Condition) => c.type === type);
}

/** Same status and reason: no change; same status: keep lastTransitionTime; the condition goes last. */
export function setCondition(status: KObject, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x: Condition) => x.type !== c.type), next];
}

export function removeCondition(status: KObject, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((x: Condition) => x.type !== type);
}

export function hasProgressDeadline(d: KObject): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return typeof p === 'number' && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: KObject): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return typeof l === 'number' && l !== MAX_INT32;
}

export function deploymentComplete(d: KObject, s: KObject): boolean {
  const want = replicasOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want
    && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

export function deploymentProgressing(d: KObject, s: KObject): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: KObject, s: KObject, now: number = Date.now()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === Reason.NewRSAvailable) return false;
  if (c.reason === Reason.TimedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + d.spec.progressDeadlineSeconds * 1000 < now;
}
