/**
 * The extension points of a scheduling profile, each a small interface a plugin may implement
 * (kube-scheduler's framework): PreFilter → Filter (per node) → PostFilter (when no node fits:
 * preemption) → PreScore → Score (0..100 per node) + NormalizeScore → Reserve/Unreserve →
 * Permit → PreBind → Bind. Plugins are pure code over the Snapshot and CycleState; the only
 * I/O (binding) goes through the FrameworkHandle the scheduler provides. Plugins return a
 * Status for expected outcomes and throw only on bugs.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Once per pod before Filter; Skip means this plugin's Filter has nothing to check. */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status;
  /** Updates this plugin's PreFilter state as if podToAdd were on nodeInfo (nominated pods, preemption). */
  addPod?(state: CycleState, podToSchedule: Pod, podToAdd: PodInfo, nodeInfo: NodeInfo): Status;
  /** Updates this plugin's PreFilter state as if podToRemove were gone from nodeInfo (preemption). */
  removePod?(state: CycleState, podToSchedule: Pod, podToRemove: PodInfo, nodeInfo: NodeInfo): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
}

/** Node name → the status the filters gave it. */
export type NodeStatusMap = Map<string, Status>;

export interface PostFilterResult {
  status: Status;
  /** The node the pod should wait for (preemption's choice). */
  nominatedNodeName?: string;
  /** Pods the scheduler deletes so the pod fits on the nominated node. */
  victims?: Pod[];
  /** Lower-priority pods nominated to the same node, whose nomination the scheduler clears. */
  clearNominations?: Pod[];
}

export interface PostFilterPlugin extends Plugin {
  /** Runs when no node passed Filter, with each node's filter status. */
  postFilter(state: CycleState, pod: Pod, statuses: NodeStatusMap): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  /** Once per pod with the nodes that passed Filter; Skip means this plugin's Score is not needed. */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  /** A score for one feasible node; after normalizeScore (if any) every score is in 0..100. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

/** Permit may allow or reject; waiting is not supported. */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: Pod, nodeName: string): Status;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  /** Binds the pod; Skip passes the pod to the next bind plugin. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

/**
 * The hook the VolumeBinding plugin calls; the storage work supplies a real one. The default
 * passes every pod on every node.
 */
export interface VolumeBinder {
  /** Reasons the pod's volumes cannot be satisfied on any node (missing claims, unbound immediate claims); empty: go on. */
  preFilterPodVolumes?(pod: Pod): string[];
  /** "namespace/name" of the pod's claims whose access modes include ReadWriteOncePod (VolumeRestrictions). */
  readWriteOncePodClaims?(pod: Pod): string[];
  /** "namespace/name" of the pod's claims whose only access mode is ReadWriteOnce (kept to one node). */
  readWriteOnceClaims?(pod: Pod): string[];
  /** Reasons the pod's volumes cannot be satisfied on this node (empty: they can). */
  findPodVolumes(pod: Pod, nodeInfo: NodeInfo): string[];
  /** Remembers the decisions for this pod on this node (Reserve). */
  assumePodVolumes?(pod: Pod, nodeName: string): void;
  revertAssumedPodVolumes?(pod: Pod, nodeName: string): void;
  /** Writes the decisions through the API before the pod is bound (PreBind). */
  bindPodVolumes?(pod: Pod, nodeName: string): Promise<void>;
}

/** What plugins may ask of the framework and of the scheduler that runs it. */
export interface FrameworkHandle {
  /** The snapshot of the cycle now running. */
  snapshot(): Snapshot;
  /** Runs every Filter plugin as upstream does with nominated pods taken into account. */
  runFilterWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  runPreFilterAddPod(state: CycleState, podToSchedule: Pod, podToAdd: PodInfo, nodeInfo: NodeInfo): Status;
  runPreFilterRemovePod(state: CycleState, podToSchedule: Pod, podToRemove: PodInfo, nodeInfo: NodeInfo): Status;
  /** Pods nominated to run on a node (waiting for preemption victims to leave). */
  nominatedPodsForNode(nodeName: string): PodInfo[];
  /** Binds through the API (pods/binding). */
  bind(pod: Pod, nodeName: string): Promise<void>;
  volumeBinder: VolumeBinder;
}

export type ExtensionPoint =
  | 'preFilter' | 'filter' | 'postFilter' | 'preScore' | 'score' | 'reserve' | 'permit' | 'preBind' | 'bind';

export const EXTENSION_POINTS: readonly ExtensionPoint[] = [
  'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind',
];

/** Which extension points a plugin object implements (by its methods). */
export function implementsPoint(p: Plugin, point: ExtensionPoint): boolean {
  const o = p as unknown as Record<string, unknown>;
  switch (point) {
    case 'reserve': return typeof o.reserve === 'function' && typeof o.unreserve === 'function';
    default: return typeof o[point] === 'function';
  }
}
