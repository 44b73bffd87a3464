/**
 * The scheduler's cache: NodeInfos for every node with the pods bound to it, plus pods the
 * scheduler has assumed (chosen a node for, binding in flight) so the next cycle already counts
 * them before the informer reports the binding. An assumed pod is confirmed when the pod shows
 * up bound, or forgotten when binding fails. Pods on nodes the cache has not seen yet are kept
 * and counted once the node arrives. Terminal pods (Succeeded/Failed) hold no resources.
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo, podInfoOf, Snapshot, type PodInfo } from './framework/index.js';

interface PodState {
  nodeName: string;
  podInfo: PodInfo;
  assumed: boolean;
}

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export class SchedulerCache {
  /** Every NodeInfo, including placeholders for nodes not (or no longer) known that still hold pods. */
  private readonly infos = new Map<string, NodeInfo>();
  private readonly realNodes = new Set<string>();
  private readonly pods = new Map<string, PodState>();
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private list: NodeInfo[] = [];
  private byName = new Map<string, NodeInfo>();
  private listDirty = true;
  /** Nodes holding pods with (anti-)affinity, kept current so a cycle need not scan every node. */
  private readonly affinityNodes = new Set<string>();
  private readonly antiAffinityNodes = new Set<string>();
  private subsets?: { withAffinity: NodeInfo[]; withRequiredAntiAffinity: NodeInfo[] };

  private trackAffinity(ni: NodeInfo): void {
    const name = ni.name;
    const inA = ni.podsWithAffinity.length > 0;
    const inB = ni.podsWithRequiredAntiAffinity.length > 0;
    if (inA === this.affinityNodes.has(name) && inB === this.antiAffinityNodes.has(name)) return;
    if (inA) this.affinityNodes.add(name);
    else this.affinityNodes.delete(name);
    if (inB) this.antiAffinityNodes.add(name);
    else this.antiAffinityNodes.delete(name);
    this.subsets = undefined;
  }

  // --- nodes ---------------------------------------------------------------------------------

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const ni = this.infos.get(name);
    if (ni) ni.setNode(node);
    else this.infos.set(name, new NodeInfo(node));
    if (!this.realNodes.has(name)) {
      this.realNodes.add(name);
      this.listDirty = true;
      this.subsets = undefined;
    }
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    if (!this.realNodes.delete(name)) return;
    this.listDirty = true;
    this.subsets = undefined;
    const ni = this.infos.get(name);
    if (ni && ni.pods.length === 0) this.infos.delete(name);
  }

  get nodeCount(): number {
    return this.realNodes.size;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.realNodes.has(name) ? this.infos.get(name) : undefined;
  }

  // --- namespaces ----------------------------------------------------------------------------

  setNamespace(ns: Namespace): void {
    this.namespaceLabels.set(ns.metadata?.name ?? '', ns.metadata?.labels ?? {});
  }

  removeNamespace(name: string): void {
    this.namespaceLabels.delete(name);
  }

  // --- pods ----------------------------------------------------------------------------------

  private infoFor(nodeName: string): NodeInfo {
    let ni = this.infos.get(nodeName);
    if (!ni) {
      ni = new NodeInfo({ metadata: { name: nodeName } });
      this.infos.set(nodeName, ni);
    }
    return ni;
  }

  private place(pi: PodInfo, nodeName: string, assumed: boolean): void {
    const ni = this.infoFor(nodeName);
    ni.addPod(pi);
    this.trackAffinity(ni);
    this.pods.set(pi.uid, { nodeName, podInfo: pi, assumed });
  }

  private unplace(uid: string): PodState | undefined {
    const st = this.pods.get(uid);
    if (!st) return undefined;
    this.pods.delete(uid);
    const ni = this.infos.get(st.nodeName);
    if (ni) {
      ni.removePod(uid);
      this.trackAffinity(ni);
      if (ni.pods.length === 0 && !this.realNodes.has(st.nodeName)) this.infos.delete(st.nodeName);
    }
    return st;
  }

  /** A bound pod as the informer reports it (add or update); confirms an assumed pod. */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    const pi = podInfoOf(pod);
    if (!nodeName || isTerminal(pod)) {
      this.unplace(pi.uid);
      return;
    }
    const cur = this.pods.get(pi.uid);
    if (cur && cur.podInfo === pi && !cur.assumed) return;
    this.unplace(pi.uid);
    this.place(pi, nodeName, false);
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    this.unplace(podInfoOf(pod).uid);
  }

  /** Counts a pod on the node the scheduler chose, before the binding is observed. */
  assumePod(pod: Pod, nodeName: string): void {
    const pi = podInfoOf(pod);
    if (this.pods.has(pi.uid)) throw new Error(`pod ${pi.key} is already in the scheduler cache`);
    this.place(pi, nodeName, true);
  }

  /** Binding failed: the assumed pod no longer counts (a pod already confirmed stays). */
  forgetPod(uid: string): void {
    if (this.pods.get(uid)?.assumed) this.unplace(uid);
  }

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed ?? false;
  }

  hasPod(uid: string): boolean {
    return this.pods.has(uid);
  }

  nodeOf(uid: string): string | undefined {
    return this.pods.get(uid)?.nodeName;
  }

  get podCount(): number {
    return this.pods.size;
  }

  // --- snapshot ------------------------------------------------------------------------------

  /**
   * A view of the cache for one cycle. It is live (not a copy): the synchronous part of a
   * cycle runs without yielding, so nothing changes it underneath.
   */
  snapshot(): Snapshot {
    if (this.listDirty) {
      this.list = [...this.realNodes].map((n) => this.infos.get(n) as NodeInfo);
      this.byName = new Map(this.list.map((n) => [n.name, n]));
      this.listDirty = false;
    }
    if (!this.subsets) {
      const pick = (names: Set<string>) => [...names].filter((n) => this.realNodes.has(n)).map((n) => this.infos.get(n) as NodeInfo);
      this.subsets = { withAffinity: pick(this.affinityNodes), withRequiredAntiAffinity: pick(this.antiAffinityNodes) };
    }
    return new Snapshot(this.list, this.namespaceLabels, this.byName, this.subsets);
  }
}
