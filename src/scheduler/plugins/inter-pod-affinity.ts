/**
 * InterPodAffinity: spec.affinity.podAffinity / podAntiAffinity. Filter: every required
 * affinity term needs a matching pod in the node's topology domain (unless no pod anywhere
 * matches and the pod matches its own terms — the first of a group); no pod in the domain may
 * match a required anti-affinity term; and no existing pod's required anti-affinity may match
 * the incoming pod in that domain. Score: preferred terms of the pod and of existing pods
 * (and existing pods' required affinity, hard weight 1) add or subtract weight per topology
 * domain, normalized min..max → 0..100.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  podInfoOf, skip, success, termMatches, unresolvable, unschedulable, type AffinityTerm, type Cloneable,
  type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type PodInfo, type PreFilterPlugin,
  type PreScorePlugin, type ScorePlugin, type Snapshot, type Status, type WeightedAffinityTerm,
} from '../framework/index.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_AFFINITY_RULES = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES = "node(s) didn't satisfy existing pods anti-affinity rules";
const FILTER_KEY = 'PreFilterInterPodAffinity';
const SCORE_KEY = 'PreScoreInterPodAffinity';

export interface InterPodAffinityArgs {
  /** Weight of existing pods' required affinity terms that match the incoming pod (default 1). */
  hardPodAffinityWeight?: number;
}

type NsLabels = (ns: string) => Record<string, string> | undefined;

const pair = (key: string, value: string) => `${key}\u0000${value}`;

class Counts {
  constructor(readonly m = new Map<string, number>()) {}
  add(node: NodeInfo, key: string, delta: number): void {
    const v = node.labels[key];
    if (v === undefined) return;
    const k = pair(key, v);
    const n = (this.m.get(k) ?? 0) + delta;
    if (n === 0) this.m.delete(k);
    else this.m.set(k, n);
  }
  get(key: string, value: string): number {
    return this.m.get(pair(key, value)) ?? 0;
  }
  clone(): Counts {
    return new Counts(new Map(this.m));
  }
}

function matchesAll(terms: AffinityTerm[], pi: PodInfo, ns?: NsLabels): boolean {
  return terms.length > 0 && terms.every((t) => termMatches(t, pi, ns));
}

class FilterState implements Cloneable {
  constructor(
    readonly podInfo: PodInfo,
    readonly nsLabels: NsLabels,
    readonly existingAnti: Counts,
    readonly affinity: Counts,
    readonly anti: Counts,
  ) {}

  clone(): FilterState {
    return new FilterState(this.podInfo, this.nsLabels, this.existingAnti.clone(), this.affinity.clone(), this.anti.clone());
  }

  /** Counts (or uncounts) an existing pod on a node. */
  update(other: PodInfo, node: NodeInfo, delta: 1 | -1): void {
    for (const t of other.requiredAntiAffinityTerms) {
      if (termMatches(t, this.podInfo, this.nsLabels)) this.existingAnti.add(node, t.topologyKey, delta);
    }
    if (matchesAll(this.podInfo.requiredAffinityTerms, other, this.nsLabels)) {
      for (const t of this.podInfo.requiredAffinityTerms) this.affinity.add(node, t.topologyKey, delta);
    }
    for (const t of this.podInfo.requiredAntiAffinityTerms) {
      if (termMatches(t, other, this.nsLabels)) this.anti.add(node, t.topologyKey, delta);
    }
  }
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = INTER_POD_AFFINITY;
  private readonly hardWeight: number;

  constructor(private readonly snapshot: () => Snapshot, args: InterPodAffinityArgs = {}) {
    this.hardWeight = args.hardPodAffinityWeight ?? 1;
  }

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const pi = podInfoOf(pod);
    const withAnti = snapshot.havePodsWithRequiredAntiAffinity();
    if (pi.requiredAffinityTerms.length === 0 && pi.requiredAntiAffinityTerms.length === 0 && withAnti.length === 0) {
      return skip();
    }
    const ns = snapshot.namespaceLabels;
    const s = new FilterState(pi, ns, new Counts(), new Counts(), new Counts());
    for (const node of withAnti) {
      for (const other of node.podsWithRequiredAntiAffinity) {
        for (const t of other.requiredAntiAffinityTerms) {
          if (termMatches(t, pi, ns)) s.existingAnti.add(node, t.topologyKey, 1);
        }
      }
    }
    if (pi.requiredAffinityTerms.length > 0 || pi.requiredAntiAffinityTerms.length > 0) {
      for (const node of snapshot.nodeInfos) {
        for (const other of node.pods) {
          if (matchesAll(pi.requiredAffinityTerms, other, ns)) {
            for (const t of pi.requiredAffinityTerms) s.affinity.add(node, t.topologyKey, 1);
          }
          for (const t of pi.requiredAntiAffinityTerms) {
            if (termMatches(t, other, ns)) s.anti.add(node, t.topologyKey, 1);
          }
        }
      }
    }
    state.write(FILTER_KEY, s);
    return success();
  }

  addPod(state: CycleState, _pod: Pod, other: PodInfo, nodeInfo: NodeInfo): Status {
    state.read<FilterState>(FILTER_KEY)?.update(other, nodeInfo, 1);
    return success();
  }

  removePod(state: CycleState, _pod: Pod, other: PodInfo, nodeInfo: NodeInfo): Status {
    state.read<FilterState>(FILTER_KEY)?.update(other, nodeInfo, -1);
    return success();
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<FilterState>(FILTER_KEY);
    if (!s) return success();
    const labels = nodeInfo.labels;
    // Required affinity: every term's domain on this node must hold a matching pod.
    let podsExist = true;
    for (const t of s.podInfo.requiredAffinityTerms) {
      const v = labels[t.topologyKey];
      if (v === undefined) return unresolvable(ERR_REASON_AFFINITY_RULES);
      if (s.affinity.get(t.topologyKey, v) <= 0) podsExist = false;
    }
    if (!podsExist && !(s.affinity.m.size === 0 && matchesAll(s.podInfo.requiredAffinityTerms, s.podInfo, s.nsLabels))) {
      return unresolvable(ERR_REASON_AFFINITY_RULES);
    }
    if (s.anti.m.size > 0) {
      for (const t of s.podInfo.requiredAntiAffinityTerms) {
        const v = labels[t.topologyKey];
        if (v !== undefined && s.anti.get(t.topologyKey, v) > 0) return unschedulable(ERR_REASON_ANTI_AFFINITY_RULES);
      }
    }
    if (s.existingAnti.m.size > 0) {
      for (const [k, v] of Object.entries(labels)) {
        if (s.existingAnti.get(k, v) > 0) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES);
      }
    }
    return success();
  }

  preScore(state: CycleState, pod: Pod): Status {
    const pi = podInfoOf(pod);
    const snapshot = this.snapshot();
    const hasConstraints = pi.preferredAffinityTerms.length > 0 || pi.preferredAntiAffinityTerms.length > 0;
    const nodes = hasConstraints ? snapshot.nodeInfos : snapshot.havePodsWithAffinity();
    if (nodes.length === 0) return skip();
    const ns = snapshot.namespaceLabels;
    const scores = new Map<string, Map<string, number>>();
    const bump = (node: NodeInfo, key: string, delta: number) => {
      const v = node.labels[key];
      if (v === undefined || delta === 0) return;
      let m = scores.get(key);
      if (!m) scores.set(key, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + delta);
    };
    const terms = (list: WeightedAffinityTerm[], target: PodInfo, node: NodeInfo, sign: 1 | -1, nsl?: NsLabels) => {
      for (const t of list) if (termMatches(t, target, nsl)) bump(node, t.topologyKey, sign * t.weight);
    };
    for (const node of nodes) {
      if (Object.keys(node.labels).length === 0) continue;
      for (const other of hasConstraints ? node.pods : node.podsWithAffinity) {
        terms(pi.preferredAffinityTerms, other, node, 1, ns);
        terms(pi.preferredAntiAffinityTerms, other, node, -1, ns);
        if (this.hardWeight > 0) {
          for (const t of other.requiredAffinityTerms) if (termMatches(t, pi, ns)) bump(node, t.topologyKey, this.hardWeight);
        }
        terms(other.preferredAffinityTerms, pi, node, 1, ns);
        terms(other.preferredAntiAffinityTerms, pi, node, -1, ns);
      }
    }
    state.write(SCORE_KEY, scores);
    return success();
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const scores = state.read<Map<string, Map<string, number>>>(SCORE_KEY);
    if (!scores || scores.size === 0) return 0;
    let total = 0;
    for (const [key, byValue] of scores) {
      const v = nodeInfo.labels[key];
      if (v !== undefined) total += byValue.get(v) ?? 0;
    }
    return total;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    let min = Number.MAX_SAFE_INTEGER;
    let max = Number.MIN_SAFE_INTEGER;
    for (const s of scores) {
      if (s.score > max) max = s.score;
      if (s.score < min) min = s.score;
    }
    const diff = max - min;
    for (const s of scores) s.score = diff > 0 ? Math.trunc((100 * (s.score - min)) / diff) : 0;
  }
}
