/**
 * The scheduling queue (kube-scheduler's PriorityQueue): activeQ (highest priority first, then
 * the earliest queued), backoffQ (pods waiting out 1 s doubling per attempt up to 10 s), and
 * unschedulable pods, which move back when the cluster changes (moveAllToActiveOrBackoff) or
 * after at most 5 minutes. A pod that fails while a move request happened during its cycle
 * goes to backoff rather than unschedulable, so no change is missed. Also tracks nominated pods
 * (pods waiting for preemption victims to leave a node). Pure: time comes from an injected clock
 * and the owner calls flush() on a timer.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podInfoOf, type PodInfo } from './framework/index.js';
import { Heap } from './heap.js';

const NONE: PodInfo[] = [];

export interface QueuedPodInfo {
  pod: Pod;
  podInfo: PodInfo;
  uid: string;
  /** When the pod was last (re)queued, in clock ms. */
  timestamp: number;
  /** When the pod was first queued. */
  initialTimestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
}

export interface SchedulingQueueOptions {
  clock?: () => number;
  /** Default 1000 ms. */
  initialBackoffMs?: number;
  /** Default 10000 ms. */
  maxBackoffMs?: number;
  /** Default 5 minutes. */
  maxUnschedulableMs?: number;
}

export class SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet returned (being scheduled). */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly nominatedByNode = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNodeOf = new Map<string, string>();
  private waiters: (() => void)[] = [];
  private closed = false;
  /** Incremented on every pop. */
  schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.now = opts.clock ?? Date.now;
    this.initialBackoff = opts.initialBackoffMs ?? 1000;
    this.maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulable = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.activeQ = new Heap((q) => q.uid, (a, b) =>
      a.podInfo.priority !== b.podInfo.priority ? a.podInfo.priority > b.podInfo.priority : a.timestamp < b.timestamp);
    this.backoffQ = new Heap((q) => q.uid, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  // --- sizes and lookups ---------------------------------------------------------------------

  get activeLength(): number {
    return this.activeQ.length;
  }

  get backoffLength(): number {
    return this.backoffQ.length;
  }

  get unschedulableLength(): number {
    return this.unschedulable.size;
  }

  /** Where a pod is: 'active', 'backoff', 'unschedulable', 'inFlight' or undefined. */
  whereIs(uid: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.activeQ.has(uid)) return 'active';
    if (this.backoffQ.has(uid)) return 'backoff';
    if (this.unschedulable.has(uid)) return 'unschedulable';
    if (this.inFlight.has(uid)) return 'inFlight';
    return undefined;
  }

  pendingPods(): Pod[] {
    return [...this.activeQ.values(), ...this.backoffQ.values(), ...this.unschedulable.values()].map((q) => q.pod);
  }

  // --- backoff -------------------------------------------------------------------------------

  /** 1 s doubling per attempt, capped at 10 s (upstream's calculateBackoffDuration). */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoff) return this.maxBackoff;
    }
    return Math.min(d, this.maxBackoff);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.now();
  }

  // --- adding and removing -------------------------------------------------------------------

  /** A new pending pod: to activeQ. */
  add(pod: Pod): void {
    const pi = podInfoOf(pod);
    const t = this.now();
    this.remove(pi.uid);
    this.activeQ.push({ pod, podInfo: pi, uid: pi.uid, timestamp: t, initialTimestamp: t, attempts: 0 });
    this.trackNomination(pod);
    this.wake();
  }

  /** A pending pod changed. An unschedulable pod whose spec or labels changed is retried. */
  update(oldPod: Pod | undefined, pod: Pod): void {
    const pi = podInfoOf(pod);
    this.trackNomination(pod);
    for (const q of [this.activeQ, this.backoffQ]) {
      const cur = q.get(pi.uid);
      if (cur) {
        q.push({ ...cur, pod, podInfo: pi });
        return;
      }
    }
    const inflight = this.inFlight.get(pi.uid);
    if (inflight) {
      inflight.pod = pod;
      inflight.podInfo = pi;
      return;
    }
    const cur = this.unschedulable.get(pi.uid);
    if (!cur) {
      this.add(pod);
      return;
    }
    const changed = !oldPod || JSON.stringify(oldPod.spec) !== JSON.stringify(pod.spec)
      || JSON.stringify(oldPod.metadata?.labels) !== JSON.stringify(pod.metadata?.labels);
    const next = { ...cur, pod, podInfo: pi };
    if (!changed) {
      this.unschedulable.set(pi.uid, next);
      return;
    }
    this.unschedulable.delete(pi.uid);
    if (this.isBackingOff(next)) this.backoffQ.push(next);
    else {
      this.activeQ.push(next);
      this.wake();
    }
  }

  /** A pod left (deleted, bound, or no longer ours). */
  delete(pod: Pod): void {
    const uid = podInfoOf(pod).uid;
    this.remove(uid);
    this.inFlight.delete(uid);
    this.deleteNominatedPod(uid);
  }

  private remove(uid: string): void {
    this.activeQ.delete(uid);
    this.backoffQ.delete(uid);
    this.unschedulable.delete(uid);
  }

  /** The next pod to schedule (highest priority, then oldest), or undefined if activeQ is empty. */
  pop(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    if (!q) return undefined;
    q.attempts++;
    this.schedulingCycle++;
    this.inFlight.set(q.uid, q);
    return q;
  }

  /** The pod was scheduled (assumed); it leaves the queue. */
  done(uid: string): void {
    this.inFlight.delete(uid);
  }

  /**
   * A pod failed a cycle started at podCycle. Unschedulable pods wait for a cluster change
   * unless one already happened during their cycle; errors always back off.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podCycle: number, opts: { error?: boolean } = {}): void {
    this.inFlight.delete(q.uid);
    if (this.activeQ.has(q.uid) || this.backoffQ.has(q.uid) || this.unschedulable.has(q.uid)) return;
    q.timestamp = this.now();
    if (opts.error || this.moveRequestCycle >= podCycle) {
      if (this.isBackingOff(q)) this.backoffQ.push(q);
      else {
        this.activeQ.push(q);
        this.wake();
      }
      return;
    }
    this.unschedulable.set(q.uid, q);
  }

  /**
   * Something changed in the cluster (node added or updated, pod deleted, ...): every
   * unschedulable pod (or those the filter selects) goes to activeQ, or to backoffQ while its
   * back-off lasts.
   */
  moveAllToActiveOrBackoff(_event: string, filter?: (q: QueuedPodInfo) => boolean): number {
    let moved = 0;
    for (const [uid, q] of this.unschedulable) {
      if (filter && !filter(q)) continue;
      this.unschedulable.delete(uid);
      if (this.isBackingOff(q)) this.backoffQ.push(q);
      else this.activeQ.push(q);
      moved++;
    }
    this.moveRequestCycle = this.schedulingCycle;
    if (moved > 0) this.wake();
    return moved;
  }

  /** Moves pods whose back-off is over to activeQ (cheap: looks at the backoffQ head only). */
  flushBackoffCompleted(): void {
    const now = this.now();
    let woke = false;
    for (;;) {
      const head = this.backoffQ.peek();
      if (!head || this.backoffExpiry(head) > now) break;
      this.backoffQ.pop();
      this.activeQ.push(head);
      woke = true;
    }
    if (woke) this.wake();
  }

  /** Moves pods unschedulable for longer than maxUnschedulableMs (5 min) back (upstream checks every 30 s). */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    let woke = false;
    for (const [uid, q] of this.unschedulable) {
      if (now - q.timestamp < this.maxUnschedulable) continue;
      this.unschedulable.delete(uid);
      if (this.isBackingOff(q)) this.backoffQ.push(q);
      else {
        this.activeQ.push(q);
        woke = true;
      }
    }
    if (woke) this.wake();
  }

  /** Both flushes. */
  flush(): void {
    this.flushBackoffCompleted();
    this.flushUnschedulableLeftover();
  }

  /** Milliseconds until the next back-off ends (undefined: none waiting). */
  nextBackoffInMs(): number | undefined {
    const head = this.backoffQ.peek();
    return head ? Math.max(0, this.backoffExpiry(head) - this.now()) : undefined;
  }

  /** Resolves when activeQ has a pod or the queue is closed. */
  wait(): Promise<void> {
    if (this.activeQ.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  // --- nominated pods ------------------------------------------------------------------------

  private trackNomination(pod: Pod): void {
    const node = pod.status?.nominatedNodeName;
    if (node) this.addNominatedPod(pod, node);
    else this.deleteNominatedPod(podInfoOf(pod).uid);
  }

  addNominatedPod(pod: Pod, nodeName: string): void {
    const pi = podInfoOf(pod);
    this.deleteNominatedPod(pi.uid);
    let m = this.nominatedByNode.get(nodeName);
    if (!m) this.nominatedByNode.set(nodeName, (m = new Map()));
    m.set(pi.uid, pi);
    this.nominatedNodeOf.set(pi.uid, nodeName);
  }

  deleteNominatedPod(uid: string): void {
    const node = this.nominatedNodeOf.get(uid);
    if (node === undefined) return;
    this.nominatedNodeOf.delete(uid);
    const m = this.nominatedByNode.get(node);
    m?.delete(uid);
    if (m && m.size === 0) this.nominatedByNode.delete(node);
  }

  nominatedPodsForNode(nodeName: string): PodInfo[] {
    const m = this.nominatedByNode.get(nodeName);
    return m ? [...m.values()] : NONE;
  }

  nominatedNodeFor(uid: string): string | undefined {
    return this.nominatedNodeOf.get(uid);
  }
}
