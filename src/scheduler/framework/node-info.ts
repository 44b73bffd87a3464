/**
 * NodeInfo: one node as the scheduler sees it — the Node object, the pods on it (bound or
 * assumed), their summed requests (exact and non-zero), the pod count, host ports in use and
 * the images present. Plugins read it; only the cache and the preemption dry-run (on clones)
 * change it.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { hasAffinity, type HostPort, type PodInfo } from './pod-info.js';
import { addResources, cloneResources, emptyResources, nodeAllocatable, type Resources } from './resources.js';

export class NodeInfo {
  node: Node;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  /** Summed effective requests of the pods here. */
  requested: Resources = emptyResources();
  /** Summed CPU/memory requests with upstream's non-zero defaults (for scoring). */
  nonZeroRequested: Resources = emptyResources();
  allocatable: Resources;
  /** "protocol/port" → host IPs using it. */
  usedPorts = new Map<string, string[]>();
  /** Image name → size in bytes, from status.images. */
  images = new Map<string, number>();
  /** Bumped on every change, so callers can tell a NodeInfo changed. */
  generation = 0;

  constructor(node: Node) {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.indexImages();
  }

  get name(): string {
    return this.node.metadata?.name ?? '';
  }

  get labels(): Record<string, string> {
    return this.node.metadata?.labels ?? {};
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.indexImages();
    this.generation++;
  }

  private indexImages(): void {
    this.images.clear();
    for (const img of this.node.status?.images ?? []) {
      for (const n of img.names ?? []) this.images.set(n, img.sizeBytes ?? 0);
    }
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (hasAffinity(pi)) this.podsWithAffinity.push(pi);
    if (pi.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity.push(pi);
    addResources(this.requested, pi.requests);
    this.nonZeroRequested.milliCPU += pi.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += pi.nonZeroRequests.memory;
    for (const p of pi.hostPorts) this.usePort(p);
    this.generation++;
  }

  /** Removes the pod with this uid; returns whether it was here. */
  removePod(uid: string): boolean {
    const i = this.pods.findIndex((p) => p.uid === uid);
    if (i < 0) return false;
    const pi = this.pods[i];
    this.pods.splice(i, 1);
    const drop = (list: PodInfo[]) => {
      const j = list.findIndex((p) => p.uid === uid);
      if (j >= 0) list.splice(j, 1);
    };
    drop(this.podsWithAffinity);
    drop(this.podsWithRequiredAntiAffinity);
    addResources(this.requested, pi.requests, -1);
    this.nonZeroRequested.milliCPU -= pi.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory -= pi.nonZeroRequests.memory;
    for (const p of pi.hostPorts) this.releasePort(p);
    this.generation++;
    return true;
  }

  private usePort(p: HostPort): void {
    const k = `${p.protocol}/${p.port}`;
    const ips = this.usedPorts.get(k);
    if (ips) ips.push(p.hostIP);
    else this.usedPorts.set(k, [p.hostIP]);
  }

  private releasePort(p: HostPort): void {
    const k = `${p.protocol}/${p.port}`;
    const ips = this.usedPorts.get(k);
    if (!ips) return;
    const i = ips.indexOf(p.hostIP);
    if (i >= 0) ips.splice(i, 1);
    if (ips.length === 0) this.usedPorts.delete(k);
  }

  /** Whether a host port conflicts with one in use: same protocol and port, and either IP is 0.0.0.0 or both are equal. */
  portConflicts(p: HostPort): boolean {
    const ips = this.usedPorts.get(`${p.protocol}/${p.port}`);
    if (!ips) return false;
    if (p.hostIP === '0.0.0.0') return true;
    return ips.some((ip) => ip === '0.0.0.0' || ip === p.hostIP);
  }

  /** A copy whose pod list and sums can change without touching this one (preemption dry-runs). */
  clone(): NodeInfo {
    const c = Object.create(NodeInfo.prototype) as NodeInfo;
    c.node = this.node;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.requested = cloneResources(this.requested);
    c.nonZeroRequested = cloneResources(this.nonZeroRequested);
    c.allocatable = this.allocatable;
    c.usedPorts = new Map([...this.usedPorts].map(([k, v]) => [k, [...v]]));
    c.images = this.images;
    c.generation = this.generation;
    return c;
  }
}
