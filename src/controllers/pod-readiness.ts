/**
 * Pod state as the workload controllers read it (upstream's podutil): Ready, available for
 * minReadySeconds, terminating, finished, active. The one copy for every controller.
 */
import type { KObject } from '../client/rest-client.js';

export function readyCondition(pod: KObject): KObject | undefined {
  return (pod.status?.conditions ?? []).find((c: KObject) => c.type === 'Ready');
}

export function isPodReady(pod: KObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

export function isRunningAndReady(pod: KObject): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isTerminating(pod: KObject): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

export function isFinished(pod: KObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Not finished and not being deleted (upstream's IsPodActive). */
export function isPodActive(pod: KObject): boolean {
  return !isFinished(pod) && !isTerminating(pod);
}

/**
 * Ready for more than minReadySeconds (by the Ready condition's lastTransitionTime; strictly
 * after, as upstream's IsPodAvailable). `now` in ms.
 */
export function isPodAvailable(pod: KObject, minReadySeconds = 0, now = Date.now()): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(t) && t + minReadySeconds * 1000 < now;
}

/** Milliseconds until a ready pod becomes available (0 when it already is or is not ready). */
export function msUntilAvailable(pod: KObject, minReadySeconds = 0, now = Date.now()): number {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !minReadySeconds) return 0;
  const t = Date.parse(c.lastTransitionTime ?? '');
  if (!Number.isFinite(t)) return 0;
  const at = t + minReadySeconds * 1000;
  return at < now ? 0 : at - now + 1;
}
