/**
 * TaintToleration: a node's NoSchedule and NoExecute taints keep off pods that do not tolerate
 * them; PreferNoSchedule taints the pod does not tolerate lower the node's score (fewer is
 * better, normalized in reverse).
 */
import type { Pod, Taint } from 'kubernetes-types/core/v1.js';
import {
  defaultNormalizeScore, findUntoleratedTaint, success, taintToleratedBy, unresolvable, type CycleState,
  type FilterPlugin, type NodeInfo, type NodeScore, type ScorePlugin, type Status,
} from '../framework/index.js';

export const TAINT_TOLERATION = 'TaintToleration';
const FILTER_EFFECTS = ['NoSchedule', 'NoExecute'] as const;

export function untoleratedTaintReason(t: Taint): string {
  return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const taint = findUntoleratedTaint(nodeInfo.node.spec?.taints, pod.spec?.tolerations, FILTER_EFFECTS);
    return taint ? unresolvable(untoleratedTaintReason(taint)) : success();
  }

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const taints = nodeInfo.node.spec?.taints;
    if (!taints || taints.length === 0) return 0;
    const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let n = 0;
    for (const t of taints) if (t.effect === 'PreferNoSchedule' && !taintToleratedBy(t, tolerations)) n++;
    return n;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, true);
  }
}
