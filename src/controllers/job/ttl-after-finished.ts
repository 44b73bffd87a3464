/**
 * The ttl-after-finished controller (upstream pkg/controller/ttlafterfinished): deletes a finished
 * Job (Complete or Failed) spec.ttlSecondsAfterFinished seconds after the condition's
 * lastTransitionTime, with Foreground propagation, after re-reading the Job from the API server
 * to make sure the TTL did not change meanwhile. Requeues at the expiry time, not by polling.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { Lister } from '../../client/lister.js';
import { isConflict, isNotFound, type KObject } from '../../client/rest-client.js';
import { BaseController, type BaseControllerOptions, type ControllerContext, type ReconcileResult } from '../framework.js';
import { finishedCondition } from './conditions.js';

export interface TTLAfterFinishedOptions extends BaseControllerOptions {
  now?: () => number;
}

/** Milliseconds until the Job expires (≤ 0: expired), or undefined when it has no TTL or is not finished. */
export function timeLeft(job: KObject, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata?.deletionTimestamp) return undefined;
  const cond = finishedCondition(job);
  if (!cond) return undefined;
  const finishedAt = Date.parse(cond.lastTransitionTime ?? '');
  if (Number.isNaN(finishedAt)) return undefined;
  return finishedAt + ttl * 1000 - now;
}

export class TTLAfterFinishedController extends BaseController {
  private readonly jobs: ResourceInfo;
  private readonly lister: Lister;
  private readonly now: () => number;

  constructor(ctx: ControllerContext, opts: TTLAfterFinishedOptions = {}) {
    super('ttl-after-finished', ctx, { workers: opts.workers ?? 2, rateLimiter: opts.rateLimiter });
    this.now = opts.now ?? (() => Date.now());
    this.jobs = findResource('batch', 'v1', 'jobs')!;
    const informer = ctx.informers.informerFor(this.jobs);
    this.lister = new Lister(informer.store);
    this.watch(informer, (job) => (timeLeft(job, 0) !== undefined ? `${job.metadata.namespace}/${job.metadata.name}` : undefined));
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const cached = this.lister.get(ns, name);
    if (!cached) return;
    const left = timeLeft(cached, this.now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfter: left };
    // The cache may be stale: check the TTL on the live object before deleting.
    let fresh: KObject;
    try {
      fresh = await this.ctx.client.get(this.jobs, ns, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = timeLeft(fresh, this.now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfter: freshLeft };
    try {
      await this.ctx.client.delete(this.jobs, ns, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
