/**
 * One sync of a Job (upstream syncJob, manageJob and trackJobStatusAndRemoveFinalizers): count
 * finished pods, decide whether the Job has succeeded or failed (backoffLimit, activeDeadlineSeconds,
 * podFailurePolicy, backoffLimitPerIndex), create or delete pods toward the wanted number of active
 * ones (with failure back-off), then write the status in upstream's order — uncounted pods first,
 * finalizers off, then counters and the terminal condition. Returns when to look again (ms), if ever.
 * I/O goes through JobActions so the logic stays testable.
 */
import type { KObject } from '../../client/rest-client.js';
import { isPodActive, isPodReady } from '../pod-readiness.js';
import { remainingBackoff, type BackoffRecord, type BackoffStore } from './backoff.js';
import { ensureCondition, findCondition, newCondition, type JobCondition } from './conditions.js';
import type { Expectations } from './expectations.js';
import { matchPodFailurePolicy } from './failure-policy.js';
import { firstPendingIndexes, OrderedIntervals } from './indexes.js';
import {
  activePodsForRemoval, completionIndex, finishedTime, hasTrackingFinalizer, isPodFailed,
  isTerminating, JOB_INDEX_FAILURE_COUNT, JOB_INDEX_IGNORED_FAILURE_COUNT, onlyReplaceFailedPods, pastBackoffLimitOnFailure,
  podFromTemplate,
} from './pods.js';

export interface JobActions {
  key: string;
  now: () => number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  expectations: Expectations;
  backoff: BackoffStore;
  event(job: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  createPod(job: KObject, pod: KObject): Promise<void>;
  /** Resolves true when the pod is deleted (or already gone). */
  deletePod(job: KObject, pod: KObject): Promise<boolean>;
  removeFinalizer(pod: KObject): Promise<void>;
  updateStatus(job: KObject): Promise<KObject>;
}

const MAX_UNCOUNTED_PODS = 500;
const MAX_PER_SYNC = 500;
const SLOW_START = 1;

interface Ctx {
  job: KObject;
  pods: KObject[];
  activePods: KObject[];
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  expectedRm: Set<string>;
  succeeded: number;
  failed: number;
  ready: number;
  terminating: number;
  finished?: JobCondition;
  newBackoff: BackoffRecord;
  prevSucceededIndexes?: OrderedIntervals;
  succeededIndexes?: OrderedIntervals;
  failedIndexes?: OrderedIntervals;
  delayedPerIndex?: Map<number, KObject>;
  requeue?: number;
}

const isIndexed = (job: KObject): boolean => job.spec?.completionMode === 'Indexed';
const hasBackoffLimitPerIndex = (job: KObject): boolean => isIndexed(job) && typeof job.spec?.backoffLimitPerIndex === 'number';
const suspended = (job: KObject): boolean => job.spec?.suspend === true;
const validIndex = (job: KObject, ix: number): boolean => ix >= 0 && ix < (job.spec?.completions ?? 0);
const uid = (p: KObject): string => p.metadata.uid;

function requeueAt(ctx: Ctx, ms: number): void {
  ctx.requeue = ctx.requeue === undefined ? ms : Math.min(ctx.requeue, ms);
}

function indexFailureCount(p: KObject, ann = JOB_INDEX_FAILURE_COUNT): number {
  const v = p.metadata?.annotations?.[ann];
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0;
}

function getFailJobMessage(job: KObject, pods: KObject[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.failJobMessage) return m.failJobMessage;
  }
  return undefined;
}

function isIndexFailed(job: KObject, p: KObject): boolean {
  let counted = false;
  if (isPodFailed(p, job)) {
    if (job.spec?.podFailurePolicy) {
      const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
      if (m.action === 'FailIndex') return true;
      counted = m.countFailed;
    } else counted = true;
  }
  return counted && indexFailureCount(p) >= job.spec.backoffLimitPerIndex;
}

export async function syncJob(job: KObject, pods: KObject[], a: JobActions): Promise<number | undefined> {
  const now = a.now();
  const status: KObject = (job.status ??= {});
  const uncounted = status.uncountedTerminatedPods ?? {};
  const expectedRm = a.expectations.expectedFinalizerRemovals(a.key);
  const satisfied = a.expectations.satisfied(a.key);
  const ctx: Ctx = {
    job, pods,
    activePods: pods.filter(isPodActive),
    uncountedSucceeded: new Set(uncounted.succeeded ?? []),
    uncountedFailed: new Set(uncounted.failed ?? []),
    expectedRm,
    succeeded: 0, failed: 0, ready: 0,
    terminating: pods.filter(isTerminating).length,
    newBackoff: { failuresAfterLastSuccess: 0 },
  };
  let active = ctx.activePods.length;
  // Newly finished pods: tracked (finalizer), not yet in uncounted, not being released.
  const fresh = (p: KObject): boolean => hasTrackingFinalizer(p) && !expectedRm.has(uid(p)) && (!isIndexed(job) || validIndex(job, completionIndex(p)));
  const newSucceeded = pods.filter((p) => fresh(p) && !ctx.uncountedSucceeded.has(uid(p)) && p.status?.phase === 'Succeeded');
  const newFailed = pods.filter((p) => fresh(p) && !ctx.uncountedFailed.has(uid(p)) && isPodFailed(p, job)
    && (!job.spec?.podFailurePolicy || matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed));
  ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncountedSucceeded.size;
  ctx.failed = (status.failed ?? 0) + newFailed.length + ctx.uncountedFailed.size;
  ctx.ready = ctx.activePods.filter(isPodReady).length;
  let startTimeSet = false;
  if (!status.startTime && !suspended(job)) {
    status.startTime = rfc(now);
    startTimeSet = true;
  }
  ctx.newBackoff = a.backoff.next(a.key, newSucceeded, newFailed, now);

  const backoffLimit = job.spec?.backoffLimit ?? 6;
  const scm = findCondition(job, 'SuccessCriteriaMet');
  if (scm?.status === 'True') ctx.finished = scm;
  if (!ctx.finished) {
    const ft = findCondition(job, 'FailureTarget');
    if (ft?.status === 'True') ctx.finished = newCondition('Failed', 'True', ft.reason ?? '', ft.message ?? '', now);
    else {
      const msg = getFailJobMessage(job, pods);
      if (msg) ctx.finished = newCondition('FailureTarget', 'True', 'PodFailurePolicy', msg, now);
    }
  }
  if (!ctx.finished) {
    if (ctx.failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) {
      ctx.finished = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
    } else if (pastActiveDeadline(job, now)) {
      ctx.finished = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
    } else if (typeof job.spec?.activeDeadlineSeconds === 'number' && !suspended(job)) {
      requeueAt(ctx, job.spec.activeDeadlineSeconds * 1000 - (now - Date.parse(status.startTime)));
    }
  }
  if (isIndexed(job)) {
    const completions = job.spec.completions ?? 0;
    ctx.prevSucceededIndexes = OrderedIntervals.parse(status.completedIndexes, completions);
    const newIx = pods.filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p) && validIndex(job, completionIndex(p))).map(completionIndex);
    ctx.succeededIndexes = ctx.prevSucceededIndexes.with(newIx);
    ctx.succeeded = ctx.succeededIndexes.total();
    if (hasBackoffLimitPerIndex(job)) {
      const failedIx = pods.filter((p) => hasTrackingFinalizer(p) && validIndex(job, completionIndex(p)) && isIndexFailed(job, p)).map(completionIndex);
      ctx.failedIndexes = OrderedIntervals.parse(status.failedIndexes, completions).with(failedIx);
      const nFailed = ctx.failedIndexes.total();
      if (!ctx.finished) {
        if (typeof job.spec.maxFailedIndexes === 'number' && nFailed > job.spec.maxFailedIndexes) {
          ctx.finished = newCondition('FailureTarget', 'True', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now);
        } else if (nFailed > 0 && nFailed + ctx.succeededIndexes.total() >= completions) {
          ctx.finished = newCondition('FailureTarget', 'True', 'FailedIndexes', 'Job has failed indexes', now);
        }
      }
      ctx.delayedPerIndex = podsWithDelayedDeletionPerIndex(ctx);
    }
    if (!ctx.finished) {
      const met = matchSuccessPolicy(job.spec.successPolicy, completions, ctx.succeededIndexes);
      if (met) ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', met, now);
    }
  }

  let suspendChanged = false;
  if (ctx.finished) {
    // Finishing: remove every active pod (finalizers stay until the pods are counted).
    const deleted = await deletePods(job, ctx.activePods, a);
    if (deleted.count !== active || !satisfied) ctx.finished = undefined;
    active -= deleted.count;
    ctx.terminating += deleted.count;
    if (deleted.error) throw deleted.error;
  } else {
    let managed = false;
    if (satisfied && !job.metadata?.deletionTimestamp) {
      active = await manageJob(ctx, a, active);
      managed = true;
    }
    const completions = job.spec?.completions;
    const complete = completions === undefined || completions === null
      ? ctx.succeeded > 0 && active === 0
      : ctx.succeeded >= completions && active === 0;
    if (complete) {
      ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
    } else if (managed) {
      if (suspended(job)) {
        if (ensureCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
          suspendChanged = true;
          a.event(job, 'Normal', 'Suspended', 'Job suspended');
        }
      } else if (ensureCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
        suspendChanged = true;
        a.event(job, 'Normal', 'Resumed', 'Job resumed');
        // activeDeadlineSeconds counts from the resume.
        status.startTime = rfc(now);
      }
    }
  }
  const needsUpdate = suspendChanged || startTimeSet || active !== (status.active ?? 0) || ctx.ready !== status.ready || ctx.terminating !== status.terminating;
  status.active = active;
  status.ready = ctx.ready;
  status.terminating = ctx.terminating;
  await trackStatus(ctx, a, needsUpdate);
  return ctx.requeue;
}

const rfc = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pastActiveDeadline(job: KObject, now: number): boolean {
  const ads = job.spec?.activeDeadlineSeconds;
  if (typeof ads !== 'number' || !job.status?.startTime || suspended(job)) return false;
  return now - Date.parse(job.status.startTime) >= ads * 1000;
}

/** spec.successPolicy: the message of the first rule met, if any. */
function matchSuccessPolicy(policy: KObject | undefined, completions: number, succeeded: OrderedIntervals): string | undefined {
  const rules: KObject[] = policy?.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const wanted = rule.succeededIndexes !== undefined ? OrderedIntervals.parse(rule.succeededIndexes, completions) : undefined;
    let count = 0;
    if (wanted) for (const iv of wanted.intervals) for (let i = iv.first; i <= iv.last; i++) if (succeeded.has(i)) count++;
    const have = wanted ? count : succeeded.total();
    const all = wanted ? count === wanted.total() : false;
    if (typeof rule.succeededCount === 'number' ? have >= rule.succeededCount : all) return `Matched rules at index ${i}`;
  }
  return undefined;
}

/** For backoffLimitPerIndex: per index, the last failed pod, kept (finalizer on) until its replacement exists. */
function podsWithDelayedDeletionPerIndex(ctx: Ctx): Map<number, KObject> {
  const job = ctx.job;
  const latest = new Map<number, KObject>();
  for (const p of ctx.pods) {
    if (!hasTrackingFinalizer(p)) continue;
    const ix = completionIndex(p);
    if (!validIndex(job, ix) || ctx.succeededIndexes?.has(ix) || ctx.failedIndexes?.has(ix)) continue;
    const prev = latest.get(ix);
    if (!prev || indexFailureCount(prev) <= indexFailureCount(p)) latest.set(ix, p);
  }
  const out = new Map<number, KObject>();
  for (const [ix, p] of latest) if (isPodFailed(p, job)) out.set(ix, p);
  return out;
}

async function deletePods(job: KObject, pods: KObject[], a: JobActions): Promise<{ count: number; error?: Error }> {
  if (!pods.length) return { count: 0 };
  a.expectations.expectDeletions(a.key, pods.length);
  const results = await Promise.allSettled(pods.map((p) => a.deletePod(job, p)));
  let count = 0;
  let error: Error | undefined;
  for (const r of results) {
    if (r.status === 'fulfilled') count++;
    else {
      a.expectations.deletionObserved(a.key);
      error ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason));
    }
  }
  return { count, error };
}

/** Creates or deletes pods toward the wanted number of active ones; returns the new active count. */
async function manageJob(ctx: Ctx, a: JobActions, active: number): Promise<number> {
  const job = ctx.job;
  if (suspended(job)) {
    const r = await deletePods(job, ctx.activePods, a);
    ctx.terminating += r.count;
    ctx.ready -= ctx.activePods.slice(0, r.count).filter(isPodReady).length;
    if (r.error) throw r.error;
    return active - r.count;
  }
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  let wantActive: number;
  if (completions === undefined || completions === null) wantActive = ctx.succeeded > 0 ? active : parallelism;
  else wantActive = Math.max(0, Math.min(completions - ctx.succeeded, parallelism));
  const rmAtLeast = Math.max(0, active - wantActive);
  const toDelete = activePodsForRemoval(job, ctx.activePods, rmAtLeast).slice(0, MAX_PER_SYNC);
  if (toDelete.length) {
    const r = await deletePods(job, toDelete, a);
    ctx.terminating += r.count;
    if (r.error) throw r.error;
    return active - r.count;
  }
  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return active;
  const now = a.now();
  if (!hasBackoffLimitPerIndex(job)) {
    const wait = remainingBackoff(now, a.backoffBaseMs, a.backoffMaxMs, ctx.newBackoff.failuresAfterLastSuccess, ctx.newBackoff.lastFailureTime);
    if (wait > 0) {
      requeueAt(ctx, wait);
      return active;
    }
  }
  diff = Math.min(diff, MAX_PER_SYNC);
  let templates: KObject[];
  if (isIndexed(job)) {
    const activeIx = new Set(ctx.activePods.map(completionIndex));
    let indexes = firstPendingIndexes(diff, job.spec.completions ?? 0, ctx.succeededIndexes!, activeIx, ctx.failedIndexes);
    const extra = new Map<number, { failureCount: number; ignoredFailureCount: number }>();
    if (hasBackoffLimitPerIndex(job)) {
      let minWait = Infinity;
      indexes = indexes.filter((ix) => {
        const last = ctx.delayedPerIndex?.get(ix);
        if (!last) {
          extra.set(ix, { failureCount: 0, ignoredFailureCount: 0 });
          return true;
        }
        const counted = !job.spec.podFailurePolicy || matchPodFailurePolicy(job.spec.podFailurePolicy, last).countFailed;
        const failureCount = indexFailureCount(last) + (counted ? 1 : 0);
        const ignored = indexFailureCount(last, JOB_INDEX_IGNORED_FAILURE_COUNT) + (counted ? 0 : 1);
        const wait = remainingBackoff(now, a.backoffBaseMs, a.backoffMaxMs, failureCount, finishedTime(last, now));
        if (wait > 0) {
          minWait = Math.min(minWait, wait);
          return false;
        }
        extra.set(ix, { failureCount, ignoredFailureCount: ignored });
        return true;
      });
      if (!indexes.length && minWait < Infinity) {
        requeueAt(ctx, minWait);
        return active;
      }
    }
    templates = indexes.map((ix) => podFromTemplate(job, { index: ix, ...(extra.get(ix) ?? {}) }));
  } else {
    templates = Array.from({ length: diff }, () => podFromTemplate(job));
  }
  if (!templates.length) return active;
  a.expectations.expectCreations(a.key, templates.length);
  // Slow start: batches of 1, 2, 4, …; stop at the first batch with a failure.
  let created = 0;
  let firstError: unknown;
  let pos = 0;
  for (let batch = Math.min(templates.length, SLOW_START); pos < templates.length; batch = Math.min(2 * batch, templates.length - pos)) {
    const slice = templates.slice(pos, pos + batch);
    pos += slice.length;
    const results = await Promise.allSettled(slice.map((t) => a.createPod(job, t)));
    let failed = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') created++;
      else {
        failed++;
        firstError ??= r.reason;
        a.expectations.creationObserved(a.key);
      }
    }
    if (failed) break;
  }
  // Pods never attempted are not expected either.
  for (let i = pos; i < templates.length; i++) a.expectations.creationObserved(a.key);
  if (firstError) throw firstError instanceof Error ? firstError : new Error(String(firstError));
  return active + created;
}

function canRemoveFinalizer(ctx: Ctx, p: KObject, considerFailed: boolean): boolean {
  if (ctx.job.metadata?.deletionTimestamp || ctx.finished || p.status?.phase === 'Succeeded') return true;
  if (!considerFailed) return false;
  if (ctx.delayedPerIndex) {
    const d = ctx.delayedPerIndex.get(completionIndex(p));
    if (d && uid(d) === uid(p)) return false;
  }
  return true;
}

/** Upstream trackJobStatusAndRemoveFinalizers + flushUncountedAndRemoveFinalizers + enactJobFinished. */
async function trackStatus(ctx: Ctx, a: JobActions, needsFlushIn: boolean): Promise<void> {
  let job = ctx.job;
  const now = a.now();
  let needsFlush = needsFlushIn;
  const indexed = isIndexed(job);
  const status = job.status;
  const unc = { succeeded: [...ctx.uncountedSucceeded], failed: [...ctx.uncountedFailed] };
  status.uncountedTerminatedPods = unc;
  const withFinalizer = new Set<string>(ctx.expectedRm);
  for (const p of ctx.pods) if (hasTrackingFinalizer(p)) withFinalizer.add(uid(p));
  const toRelease: KObject[] = [];
  const newSucceededIx: number[] = [];
  let reachedMax = false;
  for (const p of ctx.pods) {
    if (!hasTrackingFinalizer(p) || ctx.expectedRm.has(uid(p))) continue;
    const considerFailed = isPodFailed(p, job);
    if (!canRemoveFinalizer(ctx, p, considerFailed)) continue;
    toRelease.push(p);
    if (p.status?.phase === 'Succeeded' && !unc.failed.includes(uid(p))) {
      if (indexed) {
        const ix = completionIndex(p);
        if (validIndex(job, ix) && !ctx.prevSucceededIndexes!.has(ix)) {
          newSucceededIx.push(ix);
          needsFlush = true;
        }
      } else if (!ctx.uncountedSucceeded.has(uid(p))) {
        needsFlush = true;
        unc.succeeded.push(uid(p));
      }
    } else if (considerFailed || (ctx.finished && ctx.finished.type !== 'SuccessCriteriaMet')) {
      const ix = completionIndex(p);
      if (!ctx.uncountedFailed.has(uid(p)) && (!indexed || validIndex(job, ix))) {
        const counts = !job.spec?.podFailurePolicy || matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed;
        if (counts) {
          needsFlush = true;
          unc.failed.push(uid(p));
        }
      }
    }
    if (newSucceededIx.length + unc.succeeded.length + unc.failed.length >= MAX_UNCOUNTED_PODS) {
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    ctx.succeededIndexes = ctx.succeededIndexes!.with(newSucceededIx);
    const s = ctx.succeededIndexes.toString();
    if (s !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = ctx.succeededIndexes.total();
    status.completedIndexes = s;
    if (ctx.failedIndexes) {
      const f = ctx.failedIndexes.toString();
      if (f !== status.failedIndexes) {
        status.failedIndexes = f;
        needsFlush = true;
      }
    }
  }
  let finished = ctx.finished;
  if (finished?.type === 'FailureTarget') {
    status.conditions = [...(status.conditions ?? []), finished];
    needsFlush = true;
    finished = newCondition('Failed', 'True', finished.reason ?? '', finished.message ?? '', now);
  }
  if (finished?.type === 'SuccessCriteriaMet') {
    if (findCondition(job, 'SuccessCriteriaMet')?.status !== 'True') {
      status.conditions = [...(status.conditions ?? []), finished];
      needsFlush = true;
    }
    finished = newCondition('Complete', 'True', finished.reason ?? '', finished.message ?? '', now);
  }

  // Flush: record the uncounted pods before touching their finalizers.
  if (needsFlush) {
    job = await a.updateStatus(job);
    a.backoff.update(a.key, ctx.newBackoff);
    needsFlush = false;
  }
  let rmError: unknown;
  const rm = await Promise.allSettled(toRelease.map(async (p) => {
    a.expectations.expectFinalizerRemoval(a.key, uid(p));
    try {
      await a.removeFinalizer(p);
    } catch (err) {
      a.expectations.finalizerRemovalObserved(a.key, uid(p));
      throw err;
    }
  }));
  rm.forEach((r, i) => {
    if (r.status === 'fulfilled') withFinalizer.delete(uid(toRelease[i]!));
    else rmError ??= r.reason;
  });
  const st = job.status ?? (job.status = {});
  const u = (st.uncountedTerminatedPods ??= {});
  const keepS: string[] = [];
  const keepF: string[] = [];
  for (const id of u.succeeded ?? []) {
    if (withFinalizer.has(id)) keepS.push(id);
    else st.succeeded = (st.succeeded ?? 0) + 1;
  }
  for (const id of u.failed ?? []) {
    if (withFinalizer.has(id)) keepF.push(id);
    else st.failed = (st.failed ?? 0) + 1;
  }
  if (keepS.length !== (u.succeeded ?? []).length || keepF.length !== (u.failed ?? []).length) needsFlush = true;
  st.uncountedTerminatedPods = { ...(keepS.length ? { succeeded: keepS } : {}), ...(keepF.length ? { failed: keepF } : {}) };
  if (rmError) {
    if (needsFlush) await a.updateStatus(job);
    throw rmError instanceof Error ? rmError : new Error(String(rmError));
  }
  // The terminal condition waits for every pod to be counted and none to be terminating.
  let jobFinished = false;
  if (!reachedMax && finished && !keepS.length && !keepF.length && !(st.terminating > 0)) {
    ensureCondition(st, finished.type, 'True', finished.reason ?? '', finished.message ?? '', now);
    if (finished.type === 'Complete') st.completionTime = findCondition(job, 'Complete')!.lastTransitionTime;
    jobFinished = true;
    needsFlush = true;
  }
  if (needsFlush) {
    job = await a.updateStatus(job);
    if (jobFinished) recordFinished(job, finished!, a);
  }
}

function recordFinished(job: KObject, cond: JobCondition, a: JobActions): void {
  if (cond.type === 'Complete') {
    const completions = job.spec?.completions;
    if (typeof completions === 'number' && (job.status?.succeeded ?? 0) > completions) {
      a.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    a.event(job, 'Normal', 'Completed', 'Job completed');
  } else {
    a.event(job, 'Warning', cond.reason ?? '', cond.message ?? '');
  }
}
