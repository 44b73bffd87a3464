/**
 * Upstream's FailedScheduling wording (kube-scheduler 1.32 FitError):
 *   "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
 *    2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling,
 *    2 No preemption victims found for incoming pod.."
 * Each node's reasons are counted; "<count> <reason>" strings are sorted byte-wise (as Go's
 * sort.Strings) and joined with ", "; each part ends with "."; a PreFilter rejection replaces
 * the per-node histogram; the PostFilter (preemption) message follows. The doubled final period
 * is upstream's too: the nested preemption message already ends with one.
 */
import type { Status } from './framework/status.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';

export interface FitErrorInput {
  numAllNodes: number;
  /** Each rejected node's status (a map of node name → status, or just the statuses). */
  statuses: Iterable<Status> | Map<string, Status>;
  /** Set when a PreFilter plugin rejected the pod for every node. */
  preFilterMsg?: string;
  /** The PostFilter (preemption) message, already prefixed ("preemption: ..."). */
  postFilterMsg?: string;
}

/** "<n> <reason>" per distinct reason, sorted as upstream sorts them. */
export function reasonHistogram(statuses: Iterable<Status>): string[] {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort();
}

export function formatFitError(input: FitErrorInput): string {
  let msg = `0/${input.numAllNodes} nodes are available:`;
  if (input.preFilterMsg) {
    msg += ` ${input.preFilterMsg}.`;
  } else {
    const statuses = input.statuses instanceof Map ? input.statuses.values() : input.statuses;
    const parts = reasonHistogram(statuses);
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (input.postFilterMsg) msg += ` ${input.postFilterMsg}.`;
  return msg;
}
