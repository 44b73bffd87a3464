/**
 * What the Job controller reads from its pods (pure; ready, finished and active come from
 * ../pod-readiness.ts): terminating and failed as the Job counts them, finish times, completion indexes, the ranking of pods to delete first, and the
 * pod a Job creates from its template.
 */
import type { KObject } from '../../client/rest-client.js';
import { isFinished, isPodReady } from '../pod-readiness.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** Longest generateName prefix the API server accepts unchanged (63 minus 5 random characters). */
const MAX_GENERATED_NAME = 58;

/** Being deleted but not finished yet (the Job's own reading of terminating). */
export const isTerminating = (p: KObject): boolean => !!p.metadata?.deletionTimestamp && !isFinished(p);
export const hasTrackingFinalizer = (p: KObject): boolean => (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

export const onlyReplaceFailedPods = (job: KObject): boolean => job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;

/** Whether the Job counts the pod as failed (upstream isPodFailed). */
export function isPodFailed(p: KObject, job: KObject): boolean {
  if (job.spec?.podFailurePolicy) return p.status?.phase === 'Failed';
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  // Deleted pods count as failed: orphans may never reach the Failed phase.
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

/** The completion index from the pod's annotation (or label), or -1 when missing or malformed. */
export function completionIndex(p: KObject): number {
  const v = p.metadata?.annotations?.[JOB_COMPLETION_INDEX] ?? p.metadata?.labels?.[JOB_COMPLETION_INDEX];
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

const time = (s: unknown): number | undefined => {
  if (typeof s !== 'string') return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

/** When the pod finished: its containers' last finishedAt, else Ready=False, else the deletion time, else now. */
export function finishedTime(p: KObject, now: number): number {
  let latest: number | undefined;
  for (const s of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) {
    const t = time(s?.state?.terminated?.finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const ready = (p.status?.conditions ?? []).find((c: KObject) => c.type === 'Ready' && c.status === 'False');
  const rt = time(ready?.lastTransitionTime);
  if (rt !== undefined) return rt;
  return time(p.metadata?.deletionTimestamp) ?? now;
}

/** Sum of container restarts of active pods, for restartPolicy OnFailure (upstream pastBackoffLimitOnFailure). */
export function pastBackoffLimitOnFailure(job: KObject, pods: KObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase !== 'Running' && phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s?.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods so that the ones to delete first come first (controller.ActivePods): unassigned
 * before assigned, Pending < Unknown < Running, not ready before ready, more restarts first,
 * newer before older.
 */
export function compareForDeletion(a: KObject, b: KObject): number {
  const assigned = (p: KObject) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const ph = (p: KObject) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (ph(a) !== ph(b)) return ph(a) - ph(b);
  const rd = (p: KObject) => (isPodReady(p) ? 1 : 0);
  if (rd(a) !== rd(b)) return rd(a) - rd(b);
  const rs = (p: KObject) => (p.status?.containerStatuses ?? []).reduce((n: number, s: KObject) => Math.max(n, s?.restartCount ?? 0), 0);
  if (rs(a) !== rs(b)) return rs(b) - rs(a);
  const ct = (p: KObject) => time(p.metadata?.creationTimestamp) ?? 0;
  return ct(b) - ct(a);
}

/**
 * Which active pods to delete to get down by `rmAtLeast` (upstream activePodsForRemoval): for
 * Indexed Jobs, first pods with an invalid or out-of-range index and duplicates of an index.
 */
export function activePodsForRemoval(job: KObject, pods: KObject[], rmAtLeast: number): KObject[] {
  let rm: KObject[] = [];
  let left = pods;
  if (job.spec?.completionMode === 'Indexed') {
    const completions = job.spec?.completions ?? 0;
    const byIndex = new Map<number, KObject[]>();
    left = [];
    for (const p of pods) {
      const ix = completionIndex(p);
      if (ix < 0 || ix >= completions) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const group of byIndex.values()) {
      // Keep the pod least worth deleting; the rest are duplicates.
      const sorted = [...group].sort(compareForDeletion);
      left.push(sorted.pop()!);
      rm.push(...sorted);
    }
  }
  if (rm.length < rmAtLeast) {
    const sorted = [...left].sort(compareForDeletion);
    rm = rm.concat(sorted.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}

/** generateName of an Indexed Job's pod: "<job>-<index>-", the job name cut to fit. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME ? jobName.slice(0, MAX_GENERATED_NAME - suffix.length) + suffix : prefix;
}

/** generateName of a NonIndexed Job's pod: "<job>-", cut to fit. */
export function podGenerateName(jobName: string): string {
  const prefix = `${jobName}-`;
  return prefix.length > MAX_GENERATED_NAME ? prefix.slice(0, MAX_GENERATED_NAME) : prefix;
}

export interface PodForIndex {
  index: number;
  /** For backoffLimitPerIndex: failures (and ignored failures) so far of the index. */
  failureCount?: number;
  ignoredFailureCount?: number;
}

/** The pod a Job creates (upstream GetPodFromTemplate plus the Job's additions). */
export function podFromTemplate(job: KObject, at?: PodForIndex): KObject {
  const tmpl = structuredClone(job.spec?.template ?? {});
  const meta: KObject = {
    labels: { ...(tmpl.metadata?.labels ?? {}) },
    annotations: { ...(tmpl.metadata?.annotations ?? {}) },
    generateName: podGenerateName(job.metadata.name),
    finalizers: [...(tmpl.metadata?.finalizers ?? [])],
    ownerReferences: [{
      apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid,
      controller: true, blockOwnerDeletion: true,
    }],
  };
  if (!meta.finalizers.includes(JOB_TRACKING_FINALIZER)) meta.finalizers.push(JOB_TRACKING_FINALIZER);
  const spec: KObject = tmpl.spec ?? {};
  if (at) {
    const ix = String(at.index);
    meta.annotations[JOB_COMPLETION_INDEX] = ix;
    meta.labels[JOB_COMPLETION_INDEX] = ix;
    meta.generateName = podGenerateNameWithIndex(job.metadata.name, at.index);
    if (!spec.hostname) spec.hostname = `${job.metadata.name}-${at.index}`;
    const env = { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX}']` } } };
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      c.env = c.env ?? [];
      if (!c.env.some((e: KObject) => e.name === JOB_COMPLETION_INDEX_ENV)) c.env.push(structuredClone(env));
    }
    if (at.failureCount !== undefined) {
      meta.annotations[JOB_INDEX_FAILURE_COUNT] = String(at.failureCount);
      if (at.ignoredFailureCount) meta.annotations[JOB_INDEX_IGNORED_FAILURE_COUNT] = String(at.ignoredFailureCount);
    }
  }
  if (!Object.keys(meta.annotations).length) delete meta.annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
