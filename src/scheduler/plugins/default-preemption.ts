/**
 * DefaultPreemption (PostFilter): when no node fits, look for a node where deleting pods of
 * lower priority makes room. For each node whose filter failure preemption might fix (not
 * unresolvable), remove every lower-priority pod, check the pod fits, then give back as many as
 * possible, most important first; among the candidate nodes choose as upstream does (lowest
 * highest-victim priority, then lowest priority sum, then fewest victims, then the latest start
 * of the most important victims). The result names the node to nominate and the victims; the
 * scheduler deletes them through the API. PodDisruptionBudgets are not consulted.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  podInfoOf, success, unresolvable, unschedulable, type CycleState, type FrameworkHandle, type NodeInfo,
  type NodeStatusMap, type PodInfo, type PostFilterPlugin, type PostFilterResult, type Status,
} from '../framework/index.js';
import { formatFitError, NO_PREEMPTION_VICTIMS, PREEMPTION_NOT_HELPFUL } from '../failure-message.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';

export interface DefaultPreemptionArgs {
  /** Upstream's minCandidateNodesPercentage (default 10). */
  minCandidateNodesPercentage?: number;
  /** Upstream's minCandidateNodesAbsolute (default 100). */
  minCandidateNodesAbsolute?: number;
  /** Where the dry run starts among the candidate nodes (default: random, as upstream). */
  offset?: (numNodes: number) => number;
}

interface Candidate {
  node: NodeInfo;
  victims: PodInfo[];
}

function startTime(pi: PodInfo): number {
  const t = pi.pod.status?.startTime ?? pi.pod.metadata?.creationTimestamp;
  return t ? Date.parse(t) : Number.MAX_SAFE_INTEGER;
}

/** Upstream's MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportantFirst(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startTime(a) - startTime(b);
}

function preemptionMessage(numAllNodes: number, statuses: NodeStatusMap): Status {
  return unschedulable(`preemption: ${formatFitError({ numAllNodes, statuses })}`);
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = DEFAULT_PREEMPTION;
  private readonly pct: number;
  private readonly abs: number;
  private readonly offset: (n: number) => number;

  constructor(private readonly handle: FrameworkHandle, args: DefaultPreemptionArgs = {}) {
    this.pct = args.minCandidateNodesPercentage ?? 10;
    this.abs = args.minCandidateNodesAbsolute ?? 100;
    this.offset = args.offset ?? ((n) => Math.floor(Math.random() * n));
  }

  postFilter(state: CycleState, pod: Pod, statuses: NodeStatusMap): PostFilterResult {
    const snapshot = this.handle.snapshot();
    const notEligible = this.ineligibleReason(pod, statuses);
    if (notEligible) return { status: unschedulable(`preemption: ${notEligible}`) };

    const potential: NodeInfo[] = [];
    const result: NodeStatusMap = new Map();
    for (const ni of snapshot.nodeInfos) {
      const s = statuses.get(ni.name);
      if (s && s.code === 'Unschedulable') potential.push(ni);
      else result.set(ni.name, unresolvable(PREEMPTION_NOT_HELPFUL));
    }
    if (potential.length === 0) return { status: preemptionMessage(snapshot.size, result) };

    const wanted = Math.min(potential.length, Math.max(Math.floor((potential.length * this.pct) / 100), this.abs));
    const start = potential.length > wanted ? this.offset(potential.length) % potential.length : 0;
    const candidates: Candidate[] = [];
    for (let i = 0; i < potential.length && candidates.length < wanted; i++) {
      const ni = potential[(start + i) % potential.length];
      const r = this.selectVictimsOnNode(state, pod, ni);
      if (Array.isArray(r)) candidates.push({ node: ni, victims: r });
      else result.set(ni.name, r);
    }
    if (candidates.length === 0) return { status: preemptionMessage(snapshot.size, result) };

    const best = pickOneNode(candidates);
    const prio = podInfoOf(pod).priority;
    const uid = podInfoOf(pod).uid;
    const clearNominations = this.handle.nominatedPodsForNode(best.node.name)
      .filter((n) => n.priority < prio && n.uid !== uid).map((n) => n.pod);
    return {
      status: success(),
      nominatedNodeName: best.node.name,
      victims: best.victims.map((v) => v.pod),
      clearNominations,
    };
  }

  private ineligibleReason(pod: Pod, statuses: NodeStatusMap): string | undefined {
    if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nom = pod.status?.nominatedNodeName;
    if (!nom) return undefined;
    if (statuses.get(nom)?.code === 'UnschedulableAndUnresolvable') return undefined;
    const ni = this.handle.snapshot().get(nom);
    const prio = podInfoOf(pod).priority;
    if (ni?.pods.some((p) => p.pod.metadata?.deletionTimestamp && p.priority < prio)) {
      return 'not eligible due to a terminating pod on the nominated node.';
    }
    return undefined;
  }

  /** The fewest pods to delete from this node so the pod fits, or why the node cannot help. */
  selectVictimsOnNode(state: CycleState, pod: Pod, nodeInfo: NodeInfo): PodInfo[] | Status {
    const ni = nodeInfo.clone();
    const st = state.clone();
    const prio = podInfoOf(pod).priority;
    const potential = ni.pods.filter((p) => p.priority < prio);
    if (potential.length === 0) return unresolvable(NO_PREEMPTION_VICTIMS);
    for (const p of potential) {
      ni.removePod(p.uid);
      const s = this.handle.runPreFilterRemovePod(st, pod, p, ni);
      if (s.code !== 'Success') return s;
    }
    const fits = this.handle.runFilterWithNominatedPods(st, pod, ni);
    if (fits.code !== 'Success') return fits;
    potential.sort(moreImportantFirst);
    const victims: PodInfo[] = [];
    for (const p of potential) {
      ni.addPod(p);
      this.handle.runPreFilterAddPod(st, pod, p, ni);
      if (this.handle.runFilterWithNominatedPods(st, pod, ni).code !== 'Success') {
        ni.removePod(p.uid);
        this.handle.runPreFilterRemovePod(st, pod, p, ni);
        victims.push(p);
      }
    }
    return victims;
  }
}

/** Upstream's pickOneNodeForPreemption, without PodDisruptionBudget violations. */
export function pickOneNode<T extends { victims: PodInfo[] }>(candidates: T[]): T {
  const empty = candidates.find((c) => c.victims.length === 0);
  if (empty) return empty;
  const offset = 2 ** 31;
  const keyed = candidates.map((c) => {
    const sorted = [...c.victims].sort(moreImportantFirst);
    const top = sorted[0].priority;
    const sum = sorted.reduce((a, v) => a + v.priority + offset, 0);
    const earliestTop = Math.min(...sorted.filter((v) => v.priority === top).map(startTime));
    return { c, top, sum, n: sorted.length, earliestTop };
  });
  let best = keyed;
  const narrow = (score: (k: (typeof keyed)[number]) => number) => {
    const m = Math.min(...best.map(score));
    best = best.filter((k) => score(k) === m);
  };
  narrow((k) => k.top);
  if (best.length > 1) narrow((k) => k.sum);
  if (best.length > 1) narrow((k) => k.n);
  if (best.length > 1) narrow((k) => -k.earliestTop);
  return best[0].c;
}
