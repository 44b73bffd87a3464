/** Job conditions (pure): lookup, upstream's newCondition and ensureJobConditionStatus. */
import type { KObject } from '../../client/rest-client.js';

export interface JobCondition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t };
}

export function findCondition(job: KObject, type: string): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c: JobCondition) => c.type === type);
}

const isTrue = (job: KObject, type: string): boolean => findCondition(job, type)?.status === 'True';

/** Complete or Failed is True. */
export const isJobFinished = (job: KObject): boolean => isTrue(job, 'Complete') || isTrue(job, 'Failed');
export const isJobSucceeded = (job: KObject): boolean => isTrue(job, 'Complete');
/** The finishing condition (Complete or Failed, True), if any. */
export function finishedCondition(job: KObject): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c: JobCondition) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/**
 * Sets the condition's status, reason and message (new timestamps when any changed); adds it
 * only when its status is not False. Returns whether anything changed.
 */
export function ensureCondition(status: KObject, type: string, st: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const list: JobCondition[] = (status.conditions ??= []);
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === st && c.reason === reason && c.message === message) return false;
    list[i] = newCondition(type, st, reason, message, now);
    return true;
  }
  if (st === 'False') return false;
  list.push(newCondition(type, st, reason, message, now));
  return true;
}
