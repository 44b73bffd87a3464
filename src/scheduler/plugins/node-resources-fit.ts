/**
 * NodeResourcesFit: the pod's effective requests (containers, init containers and sidecars,
 * overhead) must fit in the node's allocatable minus what its pods request, and one more pod
 * must fit under allocatable pods. Every shortfall is a reason ("Insufficient cpu", "Too many
 * pods"). Scoring (upstream's default LeastAllocated over cpu and memory, weight 1 each; or
 * MostAllocated) prefers nodes with more room left, counting non-zero default requests.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  podInfoOf, success, unschedulable, type CycleState, type FilterPlugin, type NodeInfo, type PodInfo,
  type PreFilterPlugin, type Resources, type ScorePlugin, type Status,
} from '../framework/index.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

export interface ResourceSpec {
  name: string;
  weight: number;
}

export interface NodeResourcesFitArgs {
  scoringStrategy?: { type?: 'LeastAllocated' | 'MostAllocated'; resources?: ResourceSpec[] };
}

export const DEFAULT_SCORED_RESOURCES: readonly ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

/** The reasons the pod's requests do not fit on the node (empty: they fit). */
export function insufficientResources(req: Resources, nodeInfo: NodeInfo): string[] {
  const out: string[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) out.push('Too many pods');
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return out;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) out.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push('Insufficient ephemeral-storage');
  }
  for (const [name, q] of req.scalar) {
    if (q === 0) continue;
    if (q > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) out.push(`Insufficient ${name}`);
  }
  return out;
}

/** A node's allocatable amount of one resource. */
export function allocatableOf(nodeInfo: NodeInfo, resource: string): number {
  const a = nodeInfo.allocatable;
  switch (resource) {
    case 'cpu': return a.milliCPU;
    case 'memory': return a.memory;
    case 'ephemeral-storage': return a.ephemeralStorage;
    default: return a.scalar.get(resource) ?? 0;
  }
}

/** What the node's pods plus the incoming pod request of one resource, as scoring sees it. */
export function requestedWith(nodeInfo: NodeInfo, pi: PodInfo, resource: string, nonZero: boolean): number {
  switch (resource) {
    case 'cpu': return nonZero ? nodeInfo.nonZeroRequested.milliCPU + pi.nonZeroRequests.milliCPU : nodeInfo.requested.milliCPU + pi.requests.milliCPU;
    case 'memory': return nonZero ? nodeInfo.nonZeroRequested.memory + pi.nonZeroRequests.memory : nodeInfo.requested.memory + pi.requests.memory;
    case 'ephemeral-storage': return nodeInfo.requested.ephemeralStorage + pi.requests.ephemeralStorage;
    default: return (nodeInfo.requested.scalar.get(resource) ?? 0) + (pi.requests.scalar.get(resource) ?? 0);
  }
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * 100) / capacity);
}

function mostRequested(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) return 100;
  return Math.trunc((requested * 100) / capacity);
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_FIT;
  private readonly resources: readonly ResourceSpec[];
  private readonly scorer: (requested: number, capacity: number) => number;

  constructor(args: NodeResourcesFitArgs = {}) {
    this.resources = args.scoringStrategy?.resources ?? DEFAULT_SCORED_RESOURCES;
    this.scorer = args.scoringStrategy?.type === 'MostAllocated' ? mostRequested : leastRequested;
  }

  preFilter(state: CycleState, pod: Pod): Status {
    state.write(NODE_RESOURCES_FIT, podInfoOf(pod).requests);
    return success();
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const req = state.read<Resources>(NODE_RESOURCES_FIT) ?? podInfoOf(pod).requests;
    const reasons = insufficientResources(req, nodeInfo);
    return reasons.length === 0 ? success() : unschedulable(...reasons);
  }

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const pi = podInfoOf(pod);
    let total = 0;
    let weights = 0;
    for (const r of this.resources) {
      const alloc = allocatableOf(nodeInfo, r.name);
      if (alloc === 0) continue;
      total += this.scorer(requestedWith(nodeInfo, pi, r.name, true), alloc) * r.weight;
      weights += r.weight;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  }
}
