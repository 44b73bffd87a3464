/**
 * The CronJob controller (upstream's cronjob_controllerv2, 1.32 behaviour): creates a Job named
 * `<cronjob>-<scheduled time in minutes since the epoch>` for each schedule time (cron syntax and
 * macros, spec.timeZone), honours concurrencyPolicy Allow/Forbid/Replace, startingDeadlineSeconds
 * (warning when more than 100 times were missed), suspend, and the history limits; keeps
 * status.active, lastScheduleTime and lastSuccessfulTime. It requeues each CronJob for its next
 * schedule time rather than polling. The schedule decision (decideSchedule) is pure.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import { CronError, isValidTimeZone, nextCronTime, parseCronSchedule, type CronSchedule } from '../api/strategy/batch/cron-schedule.js';
import { EventRecorder } from '../client/event-recorder.js';
import { Lister } from '../client/lister.js';
import { ApiError, isNotFound, type KObject } from '../client/rest-client.js';
import { BaseController, type BaseControllerOptions, type ControllerContext, type ReconcileResult } from './framework.js';
import { controllerRefOf } from './owner-claim.js';

export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Padding added to requeue times against clock skew (upstream nextScheduleDelta). */
const NEXT_SCHEDULE_DELTA_MS = 100;

export interface CronJobControllerOptions extends BaseControllerOptions {
  /** The clock (default: new Date()). */
  now?: () => Date;
}

type EventTuple = ['Normal' | 'Warning', string, string];

export interface CronDecision {
  /** Start a Job for this time. */
  scheduledTime?: Date;
  /** Replace: delete the active Jobs first. */
  replaceActive: boolean;
  events: EventTuple[];
  /** When to look again (ms from now). */
  requeueAfterMs?: number;
}

// ---- schedule arithmetic (upstream utils.go) -------------------------------------------------

interface RecentSchedule {
  earliest: Date;
  mostRecent?: Date;
  missed: 'none' | 'few' | 'many';
  error?: string;
}

const next = (sched: CronSchedule, t: Date, tz: string | undefined): Date => nextCronTime(sched, t, tz) ?? new Date(8.64e15);

/** upstream mostRecentScheduleTime: the latest schedule time not after `now` since the last one. */
export function mostRecentScheduleTime(cj: KObject, now: Date, sched: CronSchedule, includeDeadline: boolean): RecentSchedule {
  const tz = cj.spec?.timeZone ?? undefined;
  let earliest = new Date(cj.metadata?.creationTimestamp ?? now.toISOString());
  if (cj.status?.lastScheduleTime) earliest = new Date(cj.status.lastScheduleTime);
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeDeadline && typeof sds === 'number') {
    const deadline = new Date(now.getTime() - sds * 1000);
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = next(sched, earliest, tz);
  const t2 = next(sched, t1, tz);
  if (now < t1) return { earliest, missed: 'none' };
  if (now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const elapsed = Math.floor((now.getTime() - t1.getTime()) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  let mostRecent: Date | undefined;
  const potentialEarliest = new Date(t1.getTime() + (missedCount - 2) * between * 1000);
  for (let t = next(sched, potentialEarliest, tz); t <= now; t = next(sched, t, tz)) mostRecent = t;
  const missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** upstream nextScheduleTimeDuration: ms until the next schedule time after the most recent one, plus 100 ms. */
export function nextScheduleDelay(cj: KObject, now: Date, sched: CronSchedule): number {
  const r = mostRecentScheduleTime(cj, now, sched, false);
  let from: Date;
  if (r.error) from = now;
  else if (r.mostRecent) from = r.mostRecent;
  else from = r.missed === 'none' ? r.earliest : now;
  return next(sched, from, cj.spec?.timeZone ?? undefined).getTime() + NEXT_SCHEDULE_DELTA_MS - now.getTime();
}

/** `<cronjob>-<minutes since the epoch>`. */
export function jobNameFor(cj: KObject, scheduled: Date): string {
  return `${cj.metadata.name}-${Math.floor(scheduled.getTime() / 60000)}`;
}


/** RFC 3339 of an instant in a zone, as Go's Time.In(loc).Format(time.RFC3339): "2024-03-10T09:00:00-04:00" or "…Z". */
export function rfc3339InZone(t: Date, tz: string | undefined): string {
  if (!tz || tz === 'UTC') return t.toISOString().replace(/\.\d+Z$/, 'Z');
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(t)) p[part.type] = part.value;
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  const offMin = Math.round((wall - Math.floor(t.getTime() / 1000) * 1000) / 60000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const off = offMin === 0 ? 'Z' : `${offMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offMin) / 60))}:${pad(Math.abs(offMin) % 60)}`;
  return `${p.year}-${p.month}-${p.day}T${pad(Number(p.hour) % 24)}:${p.minute}:${p.second}${off}`;
}

const rfc1123z = (t: Date): string => {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${days[t.getUTCDay()]}, ${pad(t.getUTCDate())} ${months[t.getUTCMonth()]} ${t.getUTCFullYear()} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000`;
};

/**
 * What the controller does for a CronJob at `now` (upstream syncCronJob after the active list is
 * reconciled): nothing (suspended, bad schedule, not due, missed its deadline, already started,
 * Forbid with an active Job), or start a Job for the most recent due time (Replace: after deleting
 * the active ones). Always says when to look again, except when the spec must change first.
 */
export function decideSchedule(cj: KObject, now: Date): CronDecision {
  const d: CronDecision = { replaceActive: false, events: [] };
  if (cj.metadata?.deletionTimestamp) return d;
  const tz: string | undefined = cj.spec?.timeZone ?? undefined;
  if (tz !== undefined && !isValidTimeZone(tz)) {
    d.events.push(['Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`]);
    return d;
  }
  if (cj.spec?.suspend === true) return d;
  const schedule = String(cj.spec?.schedule ?? '');
  if (schedule.includes('TZ')) {
    d.events.push(['Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`]);
  }
  let sched: CronSchedule;
  try {
    sched = parseCronSchedule(schedule);
  } catch (e) {
    if (!(e instanceof CronError)) throw e;
    d.events.push(['Warning', 'UnparseableSchedule', `unparseable schedule: "${schedule}" : ${e.message}`]);
    return d;
  }
  const r = mostRecentScheduleTime(cj, now, sched, true);
  if (r.error) {
    d.events.push(['Warning', 'InvalidSchedule', `invalid schedule: ${schedule} : ${r.error}`]);
    return d;
  }
  d.requeueAfterMs = nextScheduleDelay(cj, now, sched);
  if (!r.mostRecent || r.mostRecent > now) return d;
  if (r.missed === 'many') {
    d.events.push(['Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew']);
  }
  const scheduled = r.mostRecent;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (typeof sds === 'number' && scheduled.getTime() + sds * 1000 < now.getTime()) {
    d.events.push(['Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`]);
    return d;
  }
  const name = jobNameFor(cj, scheduled);
  const active: KObject[] = cj.status?.active ?? [];
  const last = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
  if (active.some((a) => a.name === name) || last === Math.floor(scheduled.getTime() / 1000) * 1000) return d;
  if (cj.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) {
    d.events.push(['Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid']);
    return d;
  }
  d.replaceActive = cj.spec?.concurrencyPolicy === 'Replace' && active.length > 0;
  d.scheduledTime = scheduled;
  return d;
}

/** The Job a CronJob starts for a schedule time (upstream getJobFromTemplate2). */
export function jobFromTemplate(cj: KObject, scheduled: Date): KObject {
  const tmpl = cj.spec?.jobTemplate ?? {};
  const annotations: Record<string, string> = { ...(tmpl.metadata?.annotations ?? {}) };
  annotations[CRONJOB_SCHEDULED_TIMESTAMP] = rfc3339InZone(scheduled, cj.spec?.timeZone ?? undefined);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduled),
      namespace: cj.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(tmpl.spec ?? {}),
  };
}

// ---- job state ----------------------------------------------------------------------------

function finishedType(job: KObject): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

const jobRef = (job: KObject): KObject => ({
  kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid,
  apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion,
});

/** Jobs oldest first by status.startTime (unstarted last), then by name (upstream byJobStartTime). */
export function byJobStartTime(a: KObject, b: KObject): number {
  const sa = a.status?.startTime ? Date.parse(a.status.startTime) : undefined;
  const sb = b.status?.startTime ? Date.parse(b.status.startTime) : undefined;
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  return sa! - sb!;
}


export class CronJobController extends BaseController {
  private readonly cronJobs: ResourceInfo;
  private readonly jobsResource: ResourceInfo;
  private readonly cjLister: Lister;
  private readonly jobLister: Lister;
  private readonly recorder: EventRecorder;
  private readonly now: () => Date;

  constructor(ctx: ControllerContext, opts: CronJobControllerOptions = {}) {
    super('cronjob', ctx, { workers: opts.workers ?? 2, rateLimiter: opts.rateLimiter });
    this.now = opts.now ?? (() => new Date());
    this.cronJobs = findResource('batch', 'v1', 'cronjobs')!;
    this.jobsResource = findResource('batch', 'v1', 'jobs')!;
    this.recorder = new EventRecorder(ctx.client, { component: 'cronjob-controller', log: ctx.log, now: this.now });
    const cjInformer = ctx.informers.informerFor(this.cronJobs);
    const jobInformer = ctx.informers.informerFor(this.jobsResource);
    this.cjLister = new Lister(cjInformer.store);
    this.jobLister = new Lister(jobInformer.store);
    this.watch(cjInformer);
    this.watch(jobInformer, (job) => {
      const ref = controllerRefOf(job);
      return ref?.kind === 'CronJob' ? `${job.metadata.namespace}/${ref.name}` : undefined;
    });
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const cached = this.cjLister.get(ns, name);
    if (!cached) return;
    const cj = structuredClone(cached);
    cj.status ??= {};
    const jobs = this.jobLister.list(ns).filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);
    let updateStatus = await this.reconcileActive(cj, jobs);

    const d = decideSchedule(cj, this.now());
    for (const [type, reason, message] of d.events) void this.recorder.event(cj, type, reason, message);
    if (d.scheduledTime) {
      if (d.replaceActive) {
        for (const ref of [...(cj.status.active ?? [])]) {
          let job: KObject;
          try {
            job = await this.ctx.client.get(this.jobsResource, ref.namespace ?? ns, ref.name);
          } catch (err) {
            void this.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${err instanceof Error ? err.message : String(err)}`);
            throw err;
          }
          if (!(await this.deleteJob(cj, job))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
          updateStatus = true;
        }
      }
      const want = jobFromTemplate(cj, d.scheduledTime);
      let created: KObject;
      try {
        created = await this.ctx.client.create(this.jobsResource, ns, want);
        void this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
      } catch (err) {
        if (err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists') {
          // Someone (an earlier run of ours) made it: take it as started.
          created = await this.ctx.client.get(this.jobsResource, ns, want.metadata.name);
          if (controllerRefOf(created)?.uid !== cj.metadata.uid) {
            if (updateStatus) await this.writeStatus(cj);
            return;
          }
        } else {
          if (!(err instanceof ApiError && ((err.status?.details as KObject | undefined)?.causes ?? []).some((c: KObject) => c.reason === 'NamespaceTerminating'))) {
            void this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${err instanceof Error ? err.message : String(err)}`);
          }
          if (updateStatus) await this.writeStatus(cj);
          throw err;
        }
      }
      const active: KObject[] = (cj.status.active ??= []);
      if (!active.some((a) => a.uid === created.metadata.uid)) active.push(jobRef(created));
      cj.status.lastScheduleTime = d.scheduledTime.toISOString().replace(/\.\d+Z$/, 'Z');
      updateStatus = true;
      jobs.push(created);
    }
    if (await this.cleanupFinishedJobs(cj, jobs)) updateStatus = true;
    if (updateStatus) await this.writeStatus(cj);
    return d.requeueAfterMs === undefined ? undefined : { requeueAfter: Math.max(0, d.requeueAfterMs) };
  }

  private async writeStatus(cj: KObject): Promise<void> {
    if (cj.status.active && !cj.status.active.length) delete cj.status.active;
    await this.ctx.client.updateStatus(this.cronJobs, cj);
  }

  /** Brings status.active and lastSuccessfulTime in line with the Jobs; true when the status changed. */
  private async reconcileActive(cj: KObject, jobs: KObject[]): Promise<boolean> {
    let changed = false;
    const active = (): KObject[] => cj.status.active ?? [];
    const inActive = (uid: string): boolean => active().some((a) => a.uid === uid);
    const dropActive = (uid: string): void => {
      cj.status.active = active().filter((a) => a.uid !== uid);
    };
    for (const j of jobs) {
      const finished = finishedType(j);
      const found = inActive(j.metadata.uid);
      if (!found && !finished) {
        void this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && finished) {
        dropActive(j.metadata.uid);
        void this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${finished}`);
        changed = true;
      }
      if (finished === 'Complete' && j.status?.completionTime) {
        const last = cj.status.lastSuccessfulTime ? Date.parse(cj.status.lastSuccessfulTime) : undefined;
        if (last === undefined || Date.parse(j.status.completionTime) > last) {
          cj.status.lastSuccessfulTime = j.status.completionTime;
          changed = true;
        }
      }
    }
    const seen = new Set(jobs.map((j) => j.metadata.uid));
    for (const ref of [...active()]) {
      if (seen.has(ref.uid)) continue;
      // The lister may lag: ask the API server before declaring the Job gone.
      try {
        await this.ctx.client.get(this.jobsResource, ref.namespace ?? cj.metadata.namespace, ref.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        void this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        dropActive(ref.uid);
        changed = true;
      }
    }
    return changed;
  }

  private async deleteJob(cj: KObject, job: KObject): Promise<boolean> {
    try {
      await this.ctx.client.delete(this.jobsResource, job.metadata.namespace, job.metadata.name, { propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) {
        void this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
    }
    cj.status.active = (cj.status.active ?? []).filter((a: KObject) => a.uid !== job.metadata.uid);
    void this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  /** Deletes the oldest finished Jobs beyond the history limits; true when the status changed. */
  private async cleanupFinishedJobs(cj: KObject, jobs: KObject[]): Promise<boolean> {
    const sLimit = cj.spec?.successfulJobsHistoryLimit;
    const fLimit = cj.spec?.failedJobsHistoryLimit;
    if (typeof sLimit !== 'number' && typeof fLimit !== 'number') return false;
    let changed = false;
    const prune = async (list: KObject[], limit: unknown): Promise<void> => {
      if (typeof limit !== 'number') return;
      const excess = list.length - limit;
      if (excess <= 0) return;
      list.sort(byJobStartTime);
      for (const j of list.slice(0, excess)) if (await this.deleteJob(cj, j)) changed = true;
    };
    const live = jobs.filter((j) => !j.metadata.deletionTimestamp);
    await prune(live.filter((j) => finishedType(j) === 'Complete'), sLimit);
    await prune(live.filter((j) => finishedType(j) === 'Failed'), fLimit);
    return changed;
  }
}
