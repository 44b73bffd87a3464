/**
 * Pod facts the ReplicaSet and Deployment controllers read (upstream's controller_utils; ready,
 * available and active come from pod-readiness.ts): pod keys; the order in which a
 * ReplicaSet picks pods to delete (ActivePodsWithRanks with LogarithmicScaleDown and
 * PodDeletionCost, both on by default in 1.32); slow-start batches. Pure code.
 */
import type { KObject } from '../client/rest-client.js';
import { isPodActive, isPodReady, readyCondition } from './pod-readiness.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const ms = (t: string | undefined | null): number | undefined => {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
};

export function podKey(pod: KObject): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name}`;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: KObject): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** Max restart count of regular containers, and of restartable (sidecar) init containers. */
function maxRestarts(pod: KObject): [number, number] {
  let regular = 0;
  let sidecar = 0;
  for (const s of pod.status?.containerStatuses ?? []) regular = Math.max(regular, s.restartCount ?? 0);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c: KObject) => c.restartPolicy === 'Always').map((c: KObject) => c.name));
  for (const s of pod.status?.initContainerStatuses ?? []) if (sidecars.has(s.name)) sidecar = Math.max(sidecar, s.restartCount ?? 0);
  return [regular, sidecar];
}

/** floor(log2(now - t)) in nanoseconds, -1 when t is not in the past. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** a before b when a is newer, or a is unset (afterOrZero). */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

function newerFirst(a: KObject, b: KObject, ta: number | undefined, tb: number | undefined, now: number): boolean {
  if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff === 0) return String(a.metadata?.uid ?? '') < String(b.metadata?.uid ?? '');
  return diff < 0;
}

/**
 * Whether pod a should be deleted before pod b (upstream's ActivePodsWithRanks.Less): unassigned
 * before assigned; Pending < Unknown < Running; not ready before ready; lower deletion cost;
 * more colocated related pods (higher rank); ready for less time (log2 buckets); more restarts;
 * newer before older (log2 buckets, then uid).
 */
export function deleteBefore(a: KObject, b: KObject, rankA: number, rankB: number, now: number): boolean {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !na;
  const pa = PHASE_ORDINAL[a.status?.phase] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase] ?? 0;
  if (pa !== pb) return pa < pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return !ra;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca < cb;
  if (rankA !== rankB) return rankA > rankB;
  if (ra && rb) {
    const ta = ms(readyCondition(a)?.lastTransitionTime);
    const tb = ms(readyCondition(b)?.lastTransitionTime);
    if (ta !== tb) return newerFirst(a, b, ta, tb, now);
  }
  const [ra1, rs1] = maxRestarts(a);
  const [rb1, rs2] = maxRestarts(b);
  if (ra1 !== rb1) return ra1 > rb1;
  if (rs1 !== rs2) return rs1 > rs2;
  const ta = ms(a.metadata?.creationTimestamp);
  const tb = ms(b.metadata?.creationTimestamp);
  if (ta !== tb) return newerFirst(a, b, ta, tb, now);
  return false;
}

/**
 * The `count` pods to delete: all of them when count covers them, else the first after ranking.
 * A pod's rank is how many active related pods (of the same owner's ReplicaSets) share its node.
 */
export function podsToDelete(pods: KObject[], related: KObject[], count: number, now: number = Date.now()): KObject[] {
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => (deleteBefore(x.pod, y.pod, x.rank, y.rank, now) ? -1 : deleteBefore(y.pod, x.pod, y.rank, x.rank, now) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}

/**
 * Runs fn `count` times in batches of 1, 2, 4, … (each batch in parallel), stopping after the
 * first batch with a failure. Returns how many calls succeeded and the first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}
