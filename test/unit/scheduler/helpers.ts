/** Builders for nodes and pods, and an in-memory SchedulerSource for scheduler tests. */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodStatusUpdate, SchedulerSource, SourceEvent } from '../../../src/scheduler/index.js';

let uidCounter = 0;

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: number | string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOpts = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110), ...o.extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: { allocatable: alloc, capacity: alloc },
  };
}

export interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  priority?: number;
  spec?: Partial<NonNullable<Pod['spec']>>;
  uid?: string;
  startTime?: string;
}

export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}-${++uidCounter}`, labels: o.labels },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests } }],
      nodeName: o.nodeName,
      priority: o.priority,
      ...o.spec,
    },
    status: { phase: 'Pending', startTime: o.startTime },
  };
}

export interface RecordedEvent {
  pod: string;
  type: string;
  reason: string;
  message: string;
}

/** An in-memory cluster: writes update it and are reported to subscribers asynchronously, like an informer. */
export class FakeSource implements SchedulerSource {
  readonly nodeMap = new Map<string, Node>();
  readonly podMap = new Map<string, Pod>();
  readonly events: RecordedEvent[] = [];
  readonly deleted: string[] = [];
  bindCount = 0;
  private handlers = new Set<(e: SourceEvent) => void>();

  constructor(nodes: Node[] = [], pods: Pod[] = []) {
    for (const n of nodes) this.nodeMap.set(n.metadata!.name!, n);
    for (const p of pods) this.podMap.set(p.metadata!.uid!, p);
  }

  nodes(): Node[] {
    return [...this.nodeMap.values()];
  }

  pods(): Pod[] {
    return [...this.podMap.values()];
  }

  onChange(h: (e: SourceEvent) => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  private emit(e: SourceEvent): void {
    setImmediate(() => {
      for (const h of this.handlers) h(e);
    });
  }

  addNode(n: Node): void {
    const old = this.nodeMap.get(n.metadata!.name!);
    this.nodeMap.set(n.metadata!.name!, n);
    this.emit({ kind: 'Node', type: old ? 'update' : 'add', object: n, old });
  }

  addPod(p: Pod): void {
    this.podMap.set(p.metadata!.uid!, p);
    this.emit({ kind: 'Pod', type: 'add', object: p });
  }

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const cur = this.podMap.get(pod.metadata!.uid!);
    if (!cur) throw new Error(`pods "${pod.metadata!.name}" not found`);
    if (cur.spec?.nodeName) throw new Error(`pod ${pod.metadata!.name} is already assigned to node "${cur.spec.nodeName}"`);
    const next: Pod = { ...cur, spec: { ...cur.spec!, nodeName } };
    this.podMap.set(pod.metadata!.uid!, next);
    this.bindCount++;
    this.emit({ kind: 'Pod', type: 'update', object: next, old: cur });
  }

  async deletePod(pod: Pod): Promise<void> {
    const cur = this.podMap.get(pod.metadata!.uid!);
    if (!cur) return;
    this.podMap.delete(pod.metadata!.uid!);
    this.deleted.push(pod.metadata!.name!);
    this.emit({ kind: 'Pod', type: 'delete', object: cur });
  }

  async patchPodStatus(pod: Pod, update: PodStatusUpdate): Promise<void> {
    const cur = this.podMap.get(pod.metadata!.uid!);
    if (!cur) return;
    const status = { ...cur.status };
    if (update.condition) {
      status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), { ...update.condition }];
    }
    if (update.nominatedNodeName !== undefined) status.nominatedNodeName = update.nominatedNodeName ?? undefined;
    const next: Pod = { ...cur, status };
    this.podMap.set(pod.metadata!.uid!, next);
    this.emit({ kind: 'Pod', type: 'update', object: next, old: cur });
  }

  async recordEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    this.events.push({ pod: pod.metadata!.name!, type, reason, message });
  }

  podByName(name: string): Pod | undefined {
    return [...this.podMap.values()].find((p) => p.metadata?.name === name);
  }
}

/** Waits (yielding to the event loop) until cond holds; fails after many rounds, never on a wall-clock budget. */
export async function until(cond: () => boolean, rounds = 200_000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}
