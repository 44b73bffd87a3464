/**
 * NodeAffinity: spec.nodeSelector and required node affinity filter nodes (unresolvable, since
 * preemption cannot change labels); preferred node affinity scores the sum of the weights of
 * the terms a node matches, normalized so the best node gets 100.
 */
import type { Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import {
  defaultNormalizeScore, nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinity, skip, success, unresolvable,
  type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type PreFilterPlugin, type PreScorePlugin,
  type ScorePlugin, type Status,
} from '../framework/index.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

function preferredTerms(pod: Pod): PreferredSchedulingTerm[] {
  return pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;

  preFilter(_state: CycleState, pod: Pod): Status {
    const hasSelector = pod.spec?.nodeSelector && Object.keys(pod.spec.nodeSelector).length > 0;
    const hasRequired = !!pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return hasSelector || hasRequired ? success() : skip();
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    return podMatchesNodeSelectorAndAffinity(pod, nodeInfo.node) ? success() : unresolvable(ERR_REASON_NODE_AFFINITY);
  }

  preScore(_state: CycleState, pod: Pod): Status {
    return preferredTerms(pod).length > 0 ? success() : skip();
  }

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    let total = 0;
    for (const t of preferredTerms(pod)) {
      if (t.weight === 0) continue;
      const pref = t.preference ?? {};
      const empty = (pref.matchExpressions ?? []).length === 0 && (pref.matchFields ?? []).length === 0;
      if (empty || nodeSelectorTermMatches(pref, nodeInfo.node)) total += t.weight;
    }
    return total;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, false);
  }
}
