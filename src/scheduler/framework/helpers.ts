/**
 * Shared pure helpers for plugins: upstream's default score normalization, and (from
 * machinery/node-selection, shared with the DaemonSet and node lifecycle controllers) node
 * selector terms (required and preferred node affinity) and taint/toleration matching.
 */
import { MAX_NODE_SCORE, type NodeScore } from './interfaces.js';

/**
 * Scales scores so the highest becomes 100 (reverse: the highest becomes 0), as upstream's
 * DefaultNormalizeScore; all zero stays zero (reverse: all 100).
 */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let top = 0;
  for (const s of scores) if (s.score > top) top = s.score;
  if (top === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / top);
    if (reverse) v = max - v;
    s.score = v;
  }
}

export {
  findUntoleratedTaint, nodeSelectorMatches, nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinity, taintToleratedBy,
  toleratesTaint,
} from '../../machinery/node-selection.js';
