/**
 * Snapshot: every NodeInfo the cycle may consider, in a stable order, with quick lookups by
 * name and the subsets that inter-pod affinity needs. Built by the scheduler's cache (or by
 * tests from plain nodes and pods); plugins only read it.
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from './node-info.js';
import { podInfoOf } from './pod-info.js';

export class Snapshot {
  readonly nodeInfos: NodeInfo[];
  private readonly byName: Map<string, NodeInfo>;
  private withAffinity?: NodeInfo[];
  private withRequiredAnti?: NodeInfo[];

  constructor(
    nodeInfos: NodeInfo[],
    private readonly namespaceLabelsByName: Map<string, Record<string, string>> = new Map(),
    byName?: Map<string, NodeInfo>,
    /** Precomputed subsets (the cache keeps them up to date). */
    subsets?: { withAffinity: NodeInfo[]; withRequiredAntiAffinity: NodeInfo[] },
  ) {
    this.nodeInfos = nodeInfos;
    this.byName = byName ?? new Map(nodeInfos.map((n) => [n.name, n]));
    this.withAffinity = subsets?.withAffinity;
    this.withRequiredAnti = subsets?.withRequiredAntiAffinity;
  }

  /** A snapshot of plain objects: each pod with spec.nodeName is placed on its node. */
  static from(nodes: Node[], pods: Pod[] = [], namespaces: Namespace[] = []): Snapshot {
    const infos = nodes.map((n) => new NodeInfo(n));
    const byName = new Map(infos.map((n) => [n.name, n]));
    for (const p of pods) {
      const ni = p.spec?.nodeName ? byName.get(p.spec.nodeName) : undefined;
      if (ni) ni.addPod(podInfoOf(p));
    }
    const nsLabels = new Map(namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
    return new Snapshot(infos, nsLabels);
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.nodeInfos.length;
  }

  /** Nodes with at least one pod that has (anti-)affinity terms. */
  havePodsWithAffinity(): NodeInfo[] {
    return (this.withAffinity ??= this.nodeInfos.filter((n) => n.podsWithAffinity.length > 0));
  }

  /** Nodes with at least one pod that has required anti-affinity terms. */
  havePodsWithRequiredAntiAffinity(): NodeInfo[] {
    return (this.withRequiredAnti ??= this.nodeInfos.filter((n) => n.podsWithRequiredAntiAffinity.length > 0));
  }

  /** A namespace's labels, for namespaceSelector in affinity terms (undefined when unknown). */
  readonly namespaceLabels = (ns: string): Record<string, string> | undefined => this.namespaceLabelsByName.get(ns);
}
