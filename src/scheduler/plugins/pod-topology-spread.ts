/**
 * PodTopologySpread: spec.topologySpreadConstraints. For DoNotSchedule constraints a node is
 * rejected when placing the pod there would make (matching pods in its domain + 1 if the pod
 * matches itself − the smallest count over eligible domains) exceed maxSkew; with minDomains,
 * fewer eligible domains than minDomains makes the global minimum 0. Nodes missing a
 * constraint's topology key are unresolvable. ScheduleAnyway constraints score nodes (fewer
 * matching pods in the domain is better, weighted by log(domains + 2), as upstream).
 * nodeAffinityPolicy (default Honor) and nodeTaintsPolicy (default Ignore) decide which nodes'
 * domains count; matchLabelKeys extends the selector with the pod's own label values.
 * Upstream's cluster-level default constraints (applied to pods with none) are not applied.
 */
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { matches, selectorFromObject, type LabelSelectorObject, type Selector } from '../../machinery/labels.js';
import {
  findUntoleratedTaint, podMatchesNodeSelectorAndAffinity, skip, success, unresolvable, unschedulable,
  type Cloneable, type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type PodInfo,
  type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status,
} from '../framework/index.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const HOSTNAME = 'kubernetes.io/hostname';
const FILTER_KEY = 'PreFilterPodTopologySpread';
const SCORE_KEY = 'PreScorePodTopologySpread';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector | null;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function buildConstraints(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  const labels = pod.metadata?.labels ?? {};
  for (const c of (pod.spec?.topologySpreadConstraints ?? []) as TopologySpreadConstraint[]) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector: Selector | null;
    try {
      selector = selectorFromObject(c.labelSelector as LabelSelectorObject | undefined);
    } catch {
      selector = null;
    }
    if (selector && c.matchLabelKeys) {
      selector = [...selector];
      for (const k of c.matchLabelKeys) if (k in labels) selector.push({ key: k, operator: 'in', values: [labels[k]] });
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

function hasAllKeys(node: Node, constraints: Constraint[]): boolean {
  const labels = node.metadata?.labels ?? {};
  return constraints.every((c) => Object.prototype.hasOwnProperty.call(labels, c.topologyKey));
}

function included(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.honorAffinity && !podMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.honorTaints && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) return false;
  return true;
}

function podCounts(pi: PodInfo, c: Constraint, namespace: string): boolean {
  return pi.namespace === namespace && !pi.pod.metadata?.deletionTimestamp && matches(c.selector, pi.pod.metadata?.labels);
}

function countMatching(pods: PodInfo[], c: Constraint, namespace: string): number {
  let n = 0;
  for (const p of pods) if (podCounts(p, c, namespace)) n++;
  return n;
}

class FilterState implements Cloneable {
  mins: (number | undefined)[];
  constructor(readonly constraints: Constraint[], readonly counts: Map<string, number>[]) {
    this.mins = constraints.map(() => undefined);
  }

  clone(): FilterState {
    return new FilterState(this.constraints, this.counts.map((m) => new Map(m)));
  }

  minMatch(i: number): number {
    const c = this.constraints[i];
    if (this.counts[i].size < c.minDomains) return 0;
    let m = this.mins[i];
    if (m === undefined) {
      m = Number.MAX_SAFE_INTEGER;
      for (const v of this.counts[i].values()) if (v < m) m = v;
      this.mins[i] = m;
    }
    return m;
  }

  update(pod: Pod, other: PodInfo, nodeInfo: NodeInfo, delta: 1 | -1): void {
    const node = nodeInfo.node;
    if (!hasAllKeys(node, this.constraints)) return;
    const ns = pod.metadata?.namespace ?? 'default';
    this.constraints.forEach((c, i) => {
      if (!included(c, pod, node) || !podCounts(other, c, ns)) return;
      const v = node.metadata?.labels?.[c.topologyKey] as string;
      this.counts[i].set(v, (this.counts[i].get(v) ?? 0) + delta);
      this.mins[i] = undefined;
    });
  }
}

interface ScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  pairCounts: Map<string, number>[];
  weights: number[];
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = POD_TOPOLOGY_SPREAD;

  constructor(private readonly allNodes: () => NodeInfo[]) {}

  preFilter(state: CycleState, pod: Pod): Status {
    const constraints = buildConstraints(pod, 'DoNotSchedule');
    if (constraints.length === 0) return skip();
    const ns = pod.metadata?.namespace ?? 'default';
    const counts = constraints.map(() => new Map<string, number>());
    for (const ni of this.allNodes()) {
      const node = ni.node;
      if (!hasAllKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!included(c, pod, node)) return;
        const v = node.metadata?.labels?.[c.topologyKey] as string;
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(ni.pods, c, ns));
      });
    }
    state.write(FILTER_KEY, new FilterState(constraints, counts));
    return success();
  }

  addPod(state: CycleState, pod: Pod, other: PodInfo, nodeInfo: NodeInfo): Status {
    state.read<FilterState>(FILTER_KEY)?.update(pod, other, nodeInfo, 1);
    return success();
  }

  removePod(state: CycleState, pod: Pod, other: PodInfo, nodeInfo: NodeInfo): Status {
    state.read<FilterState>(FILTER_KEY)?.update(pod, other, nodeInfo, -1);
    return success();
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<FilterState>(FILTER_KEY);
    if (!s) return success();
    const labels = nodeInfo.labels;
    const podLabels = pod.metadata?.labels;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const self = matches(c.selector, podLabels) ? 1 : 0;
      const count = s.counts[i].get(labels[c.topologyKey]) ?? 0;
      if (count + self - s.minMatch(i) > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return success();
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    const constraints = buildConstraints(pod, 'ScheduleAnyway');
    if (constraints.length === 0 || nodes.length === 0) return skip();
    const ignored = new Set<string>();
    const pairCounts = constraints.map(() => new Map<string, number>());
    for (const ni of nodes) {
      if (!hasAllKeys(ni.node, constraints)) {
        ignored.add(ni.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey !== HOSTNAME) pairCounts[i].set(ni.labels[c.topologyKey], 0);
      });
    }
    const weights = constraints.map((c, i) => {
      const size = c.topologyKey === HOSTNAME ? nodes.length - ignored.size : pairCounts[i].size;
      return Math.log(size + 2);
    });
    const ns = pod.metadata?.namespace ?? 'default';
    for (const ni of this.allNodes()) {
      if (!hasAllKeys(ni.node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME || !included(c, pod, ni.node)) return;
        const v = ni.labels[c.topologyKey];
        const cur = pairCounts[i].get(v);
        if (cur === undefined) return;
        pairCounts[i].set(v, cur + countMatching(ni.pods, c, ns));
      });
    }
    state.write(SCORE_KEY, { constraints, ignored, pairCounts, weights } satisfies ScoreState);
    return success();
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<ScoreState>(SCORE_KEY);
    if (!s || s.ignored.has(nodeInfo.name)) return 0;
    const ns = pod.metadata?.namespace ?? 'default';
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = nodeInfo.labels[c.topologyKey];
      if (v === undefined) return;
      const cnt = c.topologyKey === HOSTNAME ? countMatching(nodeInfo.pods, c, ns) : (s.pairCounts[i].get(v) ?? 0);
      score += cnt * s.weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    const s = state.read<ScoreState>(SCORE_KEY);
    if (!s) return;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const sc of scores) {
      if (s.ignored.has(sc.name)) continue;
      if (sc.score < min) min = sc.score;
      if (sc.score > max) max = sc.score;
    }
    for (const sc of scores) {
      if (s.ignored.has(sc.name)) sc.score = 0;
      else if (max === 0) sc.score = 100;
      else sc.score = Math.trunc((100 * (max + min - sc.score)) / max);
    }
  }
}
