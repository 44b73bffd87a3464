/**
 * The Job controller (upstream's pkg/controller/job, 1.32 behaviour): runs a Job's pods to
 * completion. Pods carry the batch.kubernetes.io/job-tracking finalizer; a finished pod is first
 * recorded in status.uncountedTerminatedPods, then its finalizer is removed, then it is moved to
 * status.succeeded/failed. Interim conditions SuccessCriteriaMet / FailureTarget come before
 * Complete / Failed, which wait until no pod is terminating. See sync.ts for the decision logic.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { SharedInformer } from '../../client/informer.js';
import { Lister } from '../../client/lister.js';
import { isNotFound, type KObject } from '../../client/rest-client.js';
import { OWNER_UID_INDEX, ownerUidIndexFunc, type IndexFunc } from '../../client/store.js';
import { BaseController, type BaseControllerOptions, type ControllerContext, type ReconcileResult } from '../framework.js';
import { controllerRefOf } from '../owner-claim.js';
import { BackoffStore } from './backoff.js';
import { isJobFinished } from './conditions.js';
import { Expectations } from './expectations.js';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER } from './pods.js';
import { syncJob, type JobActions } from './sync.js';

export interface JobControllerOptions extends BaseControllerOptions {
  /** First back-off delay after a pod failure (ms; default 10 s, upstream DefaultJobPodFailureBackOff). */
  backoffBaseMs?: number;
  /** Longest back-off delay (ms; default 10 min, upstream MaxJobPodFailureBackOff). */
  backoffMaxMs?: number;
  /** The clock (default: Date.now). */
  now?: () => number;
}

const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';
/** Pods created or deleted per sync at most (upstream MaxPodCreateDeletePerSync). */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;


export function jobKeyOfPod(pod: KObject): string | undefined {
  const ref = controllerRefOf(pod);
  if (!ref || ref.kind !== 'Job' || !String(ref.apiVersion ?? '').startsWith('batch/')) return undefined;
  return `${pod.metadata.namespace}/${ref.name}`;
}

export class JobController extends BaseController {
  readonly jobsResource: ResourceInfo;
  readonly podsResource: ResourceInfo;
  private readonly jobs: Lister;
  private readonly pods: Lister;
  private readonly jobInformer: SharedInformer;
  private readonly expectations: Expectations;
  private readonly backoff = new BackoffStore();
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;

  constructor(ctx: ControllerContext, opts: JobControllerOptions = {}) {
    super('job', ctx, { workers: opts.workers ?? 5, rateLimiter: opts.rateLimiter });
    this.now = opts.now ?? (() => Date.now());
    this.backoffBaseMs = opts.backoffBaseMs ?? 10_000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 600_000;
    this.expectations = new Expectations(this.now);
    this.recorder = new EventRecorder(ctx.client, { component: 'job-controller', log: ctx.log, now: () => new Date(this.now()) });
    this.jobsResource = findResource('batch', 'v1', 'jobs')!;
    this.podsResource = findResource('', 'v1', 'pods')!;
    this.jobInformer = ctx.informers.informerFor(this.jobsResource);
    const podInformer = ctx.informers.informerFor(this.podsResource);
    podInformer.addIndexers({ [OWNER_UID_INDEX]: ownerUidIndexFunc as IndexFunc });
    this.jobs = new Lister(this.jobInformer.store);
    this.pods = new Lister(podInformer.store);
    this.watch(this.jobInformer);
    this.handle(podInformer, {
      onAdd: (pod) => {
        const key = jobKeyOfPod(pod);
        if (!key) return;
        if (pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(key);
        else this.expectations.creationObserved(key);
        this.queue.add(key);
      },
      onUpdate: (old, pod) => {
        if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
        const key = jobKeyOfPod(pod);
        const oldKey = jobKeyOfPod(old);
        if (key && !old.metadata?.deletionTimestamp && pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(key);
        if (key && hasTrackingFinalizer(old) && !hasTrackingFinalizer(pod)) this.expectations.finalizerRemovalObserved(key, pod.metadata.uid);
        if (oldKey && oldKey !== key) this.queue.add(oldKey);
        if (key) this.queue.add(key);
      },
      onDelete: (pod) => {
        const key = jobKeyOfPod(pod);
        if (!key) return;
        if (!pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(key);
        this.expectations.finalizerRemovalObserved(key, pod.metadata.uid);
        this.queue.add(key);
      },
    });
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const i = key.indexOf('/');
    const namespace = key.slice(0, i);
    const name = key.slice(i + 1);
    const cached = this.jobs.get(namespace, name);
    if (!cached) {
      // The Job is gone: its pods must not keep the tracking finalizer.
      await this.releasePods(this.pods.list(namespace).filter((p) => jobKeyOfPod(p) === key));
      this.expectations.delete(key);
      this.backoff.delete(key);
      return;
    }
    const managedBy = cached.spec?.managedBy;
    if (managedBy && managedBy !== JOB_CONTROLLER_NAME) return;
    const pods = this.podsOf(cached);
    if (isJobFinished(cached)) {
      await this.releasePods(pods);
      return;
    }
    const job = structuredClone(cached);
    const requeue = await syncJob(job, pods, this.actions(key));
    return requeue === undefined ? undefined : { requeueAfter: Math.max(0, requeue) };
  }

  /** Pods the Job controls. */
  private podsOf(job: KObject): KObject[] {
    return this.pods.byIndex(OWNER_UID_INDEX, job.metadata.uid)
      .filter((p) => p.metadata?.namespace === job.metadata.namespace && controllerRefOf(p)?.uid === job.metadata.uid);
  }

  /** Removes the tracking finalizer from pods that still carry it. */
  private async releasePods(pods: KObject[]): Promise<void> {
    const held = pods.filter(hasTrackingFinalizer);
    const errs: string[] = [];
    await Promise.all(held.map(async (p) => {
      try {
        await this.removeFinalizer(p);
      } catch (err) {
        errs.push(err instanceof Error ? err.message : String(err));
      }
    }));
    if (errs.length) throw new Error(`removing tracking finalizers: ${errs.join('; ')}`);
  }

  private async removeFinalizer(pod: KObject): Promise<void> {
    try {
      await this.ctx.client.patch(this.podsResource, pod.metadata.namespace, pod.metadata.name, 'strategic', {
        metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private actions(key: string): JobActions {
    const client = this.ctx.client;
    return {
      now: this.now,
      backoffBaseMs: this.backoffBaseMs,
      backoffMaxMs: this.backoffMaxMs,
      expectations: this.expectations,
      backoff: this.backoff,
      key,
      event: (job, type, reason, message) => void this.recorder.event(job, type, reason, message),
      createPod: async (job, pod) => {
        try {
          const created = await client.create(this.podsResource, job.metadata.namespace, pod);
          void this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (err) {
          void this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
      },
      deletePod: async (job, pod) => {
        try {
          await client.delete(this.podsResource, pod.metadata.namespace, pod.metadata.name);
          void this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          return true;
        } catch (err) {
          if (isNotFound(err)) return true;
          void this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
      },
      removeFinalizer: (pod) => this.removeFinalizer(pod),
      updateStatus: async (job) => {
        // active/succeeded/failed are omitempty upstream: zero is left out.
        for (const f of ['active', 'succeeded', 'failed']) if (job.status?.[f] === 0) delete job.status[f];
        return client.updateStatus(this.jobsResource, job);
      },
    };
  }
}
