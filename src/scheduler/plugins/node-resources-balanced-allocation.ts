/**
 * NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory would be used in similar
 * fractions after placing the pod: score = (1 − standard deviation of the fractions) × 100,
 * fractions capped at 1. Uses actual requests (not the non-zero defaults), as upstream; pods
 * that request none of the resources skip it (upstream's later fix against piling best-effort
 * pods onto one node).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  podInfoOf, skip, success, type CycleState, type NodeInfo, type PreScorePlugin, type ScorePlugin, type Status,
} from '../framework/index.js';
import { allocatableOf, DEFAULT_SCORED_RESOURCES, requestedWith, type ResourceSpec } from './node-resources-fit.js';

export const NODE_RESOURCES_BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export interface BalancedAllocationArgs {
  resources?: ResourceSpec[];
}

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_BALANCED_ALLOCATION;
  private readonly resources: readonly ResourceSpec[];
  /** Scratch space reused across calls (scoring is synchronous). */
  private readonly fractions: number[];

  constructor(args: BalancedAllocationArgs = {}) {
    this.resources = args.resources ?? DEFAULT_SCORED_RESOURCES;
    this.fractions = new Array(this.resources.length).fill(0);
  }

  preScore(_state: CycleState, pod: Pod): Status {
    const pi = podInfoOf(pod);
    const any = this.resources.some((r) => {
      switch (r.name) {
        case 'cpu': return pi.requests.milliCPU > 0;
        case 'memory': return pi.requests.memory > 0;
        case 'ephemeral-storage': return pi.requests.ephemeralStorage > 0;
        default: return (pi.requests.scalar.get(r.name) ?? 0) > 0;
      }
    });
    return any ? success() : skip();
  }

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const pi = podInfoOf(pod);
    const fractions = this.fractions;
    let n = 0;
    let sum = 0;
    for (const r of this.resources) {
      const alloc = allocatableOf(nodeInfo, r.name);
      if (alloc === 0) continue;
      const f = Math.min(requestedWith(nodeInfo, pi, r.name, false) / alloc, 1);
      fractions[n++] = f;
      sum += f;
    }
    let std = 0;
    if (n === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
    else if (n > 2) {
      const mean = sum / n;
      let sq = 0;
      for (let i = 0; i < n; i++) sq += (fractions[i] - mean) ** 2;
      std = Math.sqrt(sq / n);
    }
    return Math.trunc((1 - std) * 100);
  }
}
