/**
 * bench/lib/mem-scheduler-source: an in-memory SchedulerSource, B5's reference: the same
 * Scheduler over the same nodes and pods with no API server. A bind takes effect at once and is
 * reported back on the next turn of the event loop (as an informer would, minus the network);
 * events and status patches are dropped.
 */

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodStatusUpdate, SchedulerSource, SourceEvent } from '../../src/scheduler/index.js';

export class MemSchedulerSource implements SchedulerSource {
  readonly nodeList: Node[] = [];
  readonly podMap = new Map<string, Pod>();
  bound = 0;
  private readonly handlers = new Set<(e: SourceEvent) => void>();
  private pendingEvents: SourceEvent[] = [];
  private flushScheduled = false;

  nodes(): Node[] {
    return this.nodeList;
  }

  pods(): Pod[] {
    return [...this.podMap.values()];
  }

  onChange(h: (e: SourceEvent) => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  /** Events reach handlers in order, batched per turn of the event loop. */
  private emit(e: SourceEvent): void {
    this.pendingEvents.push(e);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.pendingEvents;
      this.pendingEvents = [];
      for (const ev of batch) for (const h of this.handlers) h(ev);
    });
  }

  addNode(n: Node): void {
    this.nodeList.push(n);
    this.emit({ kind: 'Node', type: 'add', object: n });
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
    this.bound++;
    this.emit({ kind: 'Pod', type: 'update', object: next, old: cur });
  }

  async deletePod(pod: Pod): Promise<void> {
    this.podMap.delete(pod.metadata!.uid!);
    this.emit({ kind: 'Pod', type: 'delete', object: pod });
  }

  async patchPodStatus(_pod: Pod, _update: PodStatusUpdate): Promise<void> {}

  async recordEvent(): Promise<void> {}
}
