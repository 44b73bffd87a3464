/**
 * The scheduler: takes pending pods from the SchedulingQueue one at a time and runs the
 * scheduling cycle synchronously over the cache (PreFilter → Filter over a rotating sample of
 * nodes → PreScore/Score → pick the best, ties at random → Reserve → assume in the cache →
 * Permit), then binds in the background (PreBind → Bind) while the next pod is scheduled.
 * Failures record upstream's FailedScheduling event and PodScheduled condition, run PostFilter
 * (preemption: nominate, delete victims) and park the pod in the queue. All cluster I/O goes
 * through a SchedulerSource.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache, isTerminal } from './cache.js';
import { formatFitError, NO_NODES_AVAILABLE } from './failure-message.js';
import {
  CycleState, DEFAULT_SCHEDULER_NAME, defaultProfile, Framework, globalRegistry, podInfoOf, statusMessage,
  termMatches, type NodeInfo, type NodeStatusMap, type PluginRegistry, type Profile, type Snapshot, type Status,
  type VolumeBinder,
} from './framework/index.js';
import { registerDefaultPlugins } from './plugins/index.js';
import { SchedulingQueue, type QueuedPodInfo, type SchedulingQueueOptions } from './queue.js';
import type { PodStatusUpdate, SchedulerSource, SourceEvent } from './source.js';

export interface SchedulerOptions {
  /** Profiles by schedulerName (default: upstream's default profile as "default-scheduler"). */
  profiles?: Profile[];
  /** Plugin registry (default: the global one, with the default plugins registered). */
  registry?: PluginRegistry;
  volumeBinder?: VolumeBinder;
  queue?: SchedulingQueueOptions;
  /** Bindings allowed in flight before the cycle waits for one (default 500). */
  maxInFlightBindings?: number;
  /** Random source for tie-breaking between equally scored nodes (default Math.random). */
  random?: () => number;
  log?: (msg: string) => void;
}

export interface SchedulerStats {
  attempts: number;
  scheduled: number;
  unschedulable: number;
  errors: number;
  bindFailures: number;
  preemptions: number;
}

/** Upstream's numFeasibleNodesToFind: all below 100 nodes, else an adaptive percentage (≥ 5%, ≥ 100 nodes). */
export function numFeasibleNodesToFind(percentage: number | undefined, numAllNodes: number): number {
  if (numAllNodes < 100) return numAllNodes;
  let pct = percentage ?? 0;
  if (pct <= 0) pct = Math.max(5, Math.trunc(50 - numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return Math.max(n, 100);
}

class FitError extends Error {
  constructor(
    readonly numAllNodes: number,
    readonly statuses: NodeStatusMap,
    readonly preFilterMsg?: string,
  ) {
    super('fit error');
  }
}

interface ScheduleResult {
  host: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

function nodeSchedulingChanged(a: Node | undefined, b: Node): boolean {
  if (!a) return true;
  const conds = (n: Node) => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',');
  return a.spec?.unschedulable !== b.spec?.unschedulable
    || JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? [])
    || JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {})
    || JSON.stringify(a.status?.allocatable ?? {}) !== JSON.stringify(b.status?.allocatable ?? {})
    || conds(a) !== conds(b);
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly frameworks = new Map<string, Framework>();
  readonly stats: SchedulerStats = { attempts: 0, scheduled: 0, unschedulable: 0, errors: 0, bindFailures: 0, preemptions: 0 };
  private readonly pending = new Map<string, Pod>();
  private readonly bindings = new Set<Promise<void>>();
  private readonly sideEffects = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  private readonly random: () => number;
  private readonly log: (msg: string) => void;
  private nextStartNodeIndex = 0;
  private unsubscribe?: () => void;
  private running = false;
  private loopDone?: Promise<void>;
  private wakeTimer?: NodeJS.Timeout;
  private wakeLoop?: () => void;
  private lastLeftoverFlush = 0;
  private cycleBusy = false;

  constructor(private readonly source: SchedulerSource, opts: SchedulerOptions = {}) {
    this.queue = new SchedulingQueue(opts.queue);
    this.maxInFlight = opts.maxInFlightBindings ?? 500;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? (() => {});
    const registry = opts.registry ?? registerDefaultPlugins(globalRegistry());
    for (const profile of opts.profiles ?? [defaultProfile()]) {
      const fwk = new Framework(profile, {
        registry,
        nominatedPodsForNode: (n) => this.queue.nominatedPodsForNode(n),
        bind: (pod, node) => this.source.bind(pod, node),
        volumeBinder: opts.volumeBinder,
      });
      this.frameworks.set(profile.schedulerName, fwk);
    }
  }

  // --- lifecycle -----------------------------------------------------------------------------

  /** Subscribes to the source, loads what it knows, and starts the scheduling loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.source.onChange((e) => this.handle(e));
    for (const ns of this.source.namespaces?.() ?? []) this.handle({ kind: 'Namespace', type: 'add', object: ns });
    for (const n of this.source.nodes()) this.handle({ kind: 'Node', type: 'add', object: n });
    for (const p of this.source.pods()) this.handle({ kind: 'Pod', type: 'add', object: p });
    this.loopDone = this.loop();
  }

  /** Stops the loop and waits for bindings and writes in flight. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.queue.close();
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.bindings, ...this.sideEffects]);
  }

  /** True when no pod is ready to schedule and nothing is in flight. */
  get idle(): boolean {
    return this.queue.activeLength === 0 && this.bindings.size === 0 && this.sideEffects.size === 0 && !this.cycleBusy;
  }

  private wake(): void {
    this.wakeLoop?.();
  }

  private async loop(): Promise<void> {
    let lastYield = Date.now();
    while (this.running) {
      this.queue.flushBackoffCompleted();
      const now = Date.now();
      if (now - this.lastLeftoverFlush >= 30_000) {
        this.lastLeftoverFlush = now;
        this.queue.flushUnschedulableLeftover();
      }
      if (this.bindings.size >= this.maxInFlight) {
        await Promise.race(this.bindings);
        continue;
      }
      const q = this.queue.pop();
      if (!q) {
        await this.sleepUntilWork();
        lastYield = Date.now();
        continue;
      }
      this.cycleBusy = true;
      try {
        this.scheduleOne(q);
      } catch (e) {
        this.log(`scheduler: unexpected error scheduling ${q.podInfo.key}: ${(e as Error).stack ?? e}`);
        this.queue.addUnschedulableIfNotPresent(q, this.queue.schedulingCycle, { error: true });
      } finally {
        this.cycleBusy = false;
      }
      if (Date.now() - lastYield > 5) {
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
    }
  }

  private sleepUntilWork(): Promise<void> {
    const backoff = this.queue.nextBackoffInMs();
    const ms = Math.min(backoff ?? 1000, 1000);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(this.wakeTimer);
        this.wakeLoop = undefined;
        resolve();
      };
      this.wakeLoop = done;
      this.wakeTimer = setTimeout(done, ms);
      void this.queue.wait().then(done);
    });
  }

  // --- events --------------------------------------------------------------------------------

  private responsibleFor(pod: Pod): boolean {
    return this.frameworks.has(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
  }

  /** Applies one change from the source to the cache and the queue. */
  handle(e: SourceEvent): void {
    switch (e.kind) {
      case 'Namespace':
        if (e.type === 'delete') this.cache.removeNamespace(e.object.metadata?.name ?? '');
        else this.cache.setNamespace(e.object);
        return;
      case 'Node': {
        const name = e.object.metadata?.name ?? '';
        if (e.type === 'delete') {
          this.cache.removeNode(name);
          return;
        }
        const known = this.cache.nodeInfo(name)?.node;
        this.cache.addNode(e.object);
        if (nodeSchedulingChanged(e.old ?? known, e.object)) {
          this.queue.moveAllToActiveOrBackoff(known ? 'NodeUpdate' : 'NodeAdd');
        }
        return;
      }
      case 'Pod':
        this.handlePod(e.type, e.object, e.old);
    }
  }

  private handlePod(type: 'add' | 'update' | 'delete', pod: Pod, old?: Pod): void {
    const pi = podInfoOf(pod);
    if (type === 'delete') {
      this.pending.delete(pi.uid);
      this.queue.delete(pod);
      if (this.cache.hasPod(pi.uid)) {
        this.cache.removePod(pod);
        this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
      }
      return;
    }
    if (pod.spec?.nodeName) {
      const wasHeld = this.cache.hasPod(pi.uid);
      this.pending.delete(pi.uid);
      this.queue.delete(pod);
      if (isTerminal(pod)) {
        if (wasHeld) {
          this.cache.removePod(pod);
          this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
        }
        return;
      }
      const wasAssumed = this.cache.isAssumed(pi.uid);
      this.cache.addPod(pod);
      const labelsChanged = !old || JSON.stringify(old.metadata?.labels) !== JSON.stringify(pod.metadata?.labels);
      if (!wasAssumed && (!wasHeld || labelsChanged)) {
        // Pods whose required affinity this pod satisfies may fit now (upstream's AssignedPodAdd).
        const ns = this.cache.snapshot().namespaceLabels;
        this.queue.moveAllToActiveOrBackoff('AssignedPodAdd', (q) =>
          q.podInfo.requiredAffinityTerms.some((t) => termMatches(t, pi, ns)));
      }
      return;
    }
    if (!this.responsibleFor(pod) || isTerminal(pod) || pod.metadata?.deletionTimestamp) {
      if (this.pending.delete(pi.uid)) this.queue.delete(pod);
      return;
    }
    if (this.cache.isAssumed(pi.uid)) return; // bound by us; the informer has not caught up yet
    const known = this.pending.get(pi.uid);
    this.pending.set(pi.uid, pod);
    if (!known && type === 'add') this.queue.add(pod);
    else this.queue.update(known ?? old, pod);
  }

  // --- the scheduling cycle ------------------------------------------------------------------

  /** Runs one scheduling cycle for a popped pod (synchronous up to the assume). */
  scheduleOne(q: QueuedPodInfo): void {
    const pod = q.pod;
    const fwk = this.frameworks.get(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
    if (!fwk || !this.pending.has(q.uid) || pod.spec?.nodeName) {
      this.queue.done(q.uid);
      return;
    }
    this.stats.attempts++;
    const cycle = this.queue.schedulingCycle;
    const state = new CycleState();
    let result: ScheduleResult;
    try {
      result = this.schedulePod(fwk, state, pod);
    } catch (e) {
      this.handleFailure(fwk, state, q, cycle, e);
      return;
    }
    const host = result.host;
    const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName: host } } as Pod;
    const reserve = fwk.runReserve(state, assumed, host);
    if (reserve.code !== 'Success') {
      fwk.runUnreserve(state, assumed, host);
      this.handleFailure(fwk, state, q, cycle, reserve);
      return;
    }
    this.cache.assumePod(assumed, host);
    const permit = fwk.runPermit(state, assumed, host);
    if (permit.code !== 'Success') {
      this.cache.forgetPod(q.uid);
      fwk.runUnreserve(state, assumed, host);
      this.handleFailure(fwk, state, q, cycle, permit);
      return;
    }
    this.queue.done(q.uid);
    this.queue.deleteNominatedPod(q.uid);
    const p = this.bindingCycle(fwk, state, q, assumed, host, cycle).finally(() => this.bindings.delete(p));
    this.bindings.add(p);
  }

  private async bindingCycle(
    fwk: Framework, state: CycleState, q: QueuedPodInfo, assumed: Pod, host: string, cycle: number,
  ): Promise<void> {
    let status = await fwk.runPreBind(state, assumed, host);
    if (status.code === 'Success') status = await fwk.runBind(state, assumed, host);
    if (status.code === 'Success') {
      this.stats.scheduled++;
      const ns = assumed.metadata?.namespace ?? 'default';
      this.fire(this.source.recordEvent(assumed, 'Normal', 'Scheduled',
        `Successfully assigned ${ns}/${assumed.metadata?.name} to ${host}`));
      return;
    }
    this.stats.bindFailures++;
    this.cache.forgetPod(q.uid);
    fwk.runUnreserve(state, assumed, host);
    this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
    const msg = status.code === 'Skip' ? 'no bind plugin bound the pod' : `Binding rejected: ${statusMessage(status)}`;
    this.log(`scheduler: binding ${q.podInfo.key} to ${host} failed: ${msg}`);
    if (!this.pending.has(q.uid)) return;
    q.pod = this.pending.get(q.uid) as Pod;
    this.queue.addUnschedulableIfNotPresent(q, cycle, { error: true });
    this.fire(this.source.recordEvent(q.pod, 'Warning', 'FailedScheduling', msg));
    this.fire(this.source.patchPodStatus(q.pod, {
      condition: { type: 'PodScheduled', status: 'False', reason: 'SchedulerError', message: msg },
    }));
  }

  /** Finds the node for a pod, or throws a FitError / Error. */
  schedulePod(fwk: Framework, state: CycleState, pod: Pod): ScheduleResult {
    const snapshot = this.cache.snapshot();
    const all = snapshot.nodeInfos;
    if (all.length === 0) throw new Error(NO_NODES_AVAILABLE);
    fwk.setSnapshot(snapshot);
    const pre = fwk.runPreFilter(state, pod, snapshot);
    if (pre.code === 'Error') throw pre.error ?? new Error(statusMessage(pre));
    if (pre.code !== 'Success') {
      const statuses: NodeStatusMap = new Map(all.map((n) => [n.name, pre]));
      throw new FitError(all.length, statuses, statusMessage(pre));
    }
    const statuses: NodeStatusMap = new Map();
    const feasible = this.findFeasible(fwk, state, pod, snapshot, statuses);
    if (feasible.length === 0) throw new FitError(all.length, statuses);
    if (feasible.length === 1) return { host: feasible[0].name, evaluatedNodes: statuses.size + 1, feasibleNodes: 1 };
    const ps = fwk.runPreScore(state, pod, feasible);
    if (ps.code !== 'Success') throw ps.error ?? new Error(statusMessage(ps));
    const scores = fwk.runScore(state, pod, feasible);
    let best = -1;
    let host = '';
    let ties = 0;
    for (const s of scores) {
      if (s.score > best) {
        best = s.score;
        host = s.name;
        ties = 1;
      } else if (s.score === best) {
        ties++;
        if (this.random() * ties < 1) host = s.name;
      }
    }
    return { host, evaluatedNodes: statuses.size + feasible.length, feasibleNodes: feasible.length };
  }

  private findFeasible(fwk: Framework, state: CycleState, pod: Pod, snapshot: Snapshot, statuses: NodeStatusMap): NodeInfo[] {
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = snapshot.get(nominated);
      if (ni) {
        const s = fwk.runFilterWithNominatedPods(state, pod, ni);
        if (s.code === 'Success') return [ni];
        if (s.code === 'Error') throw s.error ?? new Error(statusMessage(s));
      }
    }
    const all = snapshot.nodeInfos;
    const n = all.length;
    const want = numFeasibleNodesToFind(fwk.profile.percentageOfNodesToScore, n);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const ni = all[(start + processed) % n];
      const s = fwk.runFilterWithNominatedPods(state, pod, ni);
      if (s.code === 'Success') feasible.push(ni);
      else if (s.code === 'Error') throw s.error ?? new Error(statusMessage(s));
      else statuses.set(ni.name, s);
    }
    this.nextStartNodeIndex = (start + processed) % n;
    return feasible;
  }

  // --- failures ------------------------------------------------------------------------------

  private handleFailure(fwk: Framework, state: CycleState, q: QueuedPodInfo, cycle: number, err: unknown): void {
    const pod = q.pod;
    let message: string;
    let reason = 'Unschedulable';
    let nominatedNodeName: string | null | undefined;
    let isError = false;
    if (err instanceof FitError) {
      this.stats.unschedulable++;
      let postFilterMsg: string | undefined;
      if (fwk.hasPostFilter) {
        const r = fwk.runPostFilter(state, pod, err.statuses);
        if (r.status.code === 'Success' && r.nominatedNodeName) {
          nominatedNodeName = r.nominatedNodeName;
          this.preempt(pod, r.nominatedNodeName, r.victims ?? [], r.clearNominations ?? []);
        } else if (r.status.code !== 'Success') {
          postFilterMsg = statusMessage(r.status) || undefined;
          if (pod.status?.nominatedNodeName) nominatedNodeName = null;
        }
      }
      message = formatFitError({ numAllNodes: err.numAllNodes, statuses: err.statuses, preFilterMsg: err.preFilterMsg, postFilterMsg });
    } else {
      const s = err as Partial<Status> & Partial<Error>;
      if (s && typeof s === 'object' && 'code' in s && (s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable')) {
        this.stats.unschedulable++;
        message = statusMessage(err as Status);
      } else {
        this.stats.errors++;
        isError = true;
        reason = 'SchedulerError';
        message = err instanceof Error ? err.message : statusMessage(err as Status);
      }
    }
    if (!this.pending.has(q.uid)) {
      this.queue.done(q.uid);
      return;
    }
    q.pod = this.pending.get(q.uid) as Pod;
    this.queue.addUnschedulableIfNotPresent(q, cycle, { error: isError });
    if (nominatedNodeName) this.queue.addNominatedPod(q.pod, nominatedNodeName);
    else if (nominatedNodeName === null) this.queue.deleteNominatedPod(q.uid);
    this.fire(this.source.recordEvent(q.pod, 'Warning', 'FailedScheduling', message));
    const update: PodStatusUpdate = {};
    const cur = (q.pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (!cur || cur.status !== 'False' || cur.reason !== reason || cur.message !== message) {
      update.condition = { type: 'PodScheduled', status: 'False', reason, message };
    }
    if (nominatedNodeName !== undefined && (q.pod.status?.nominatedNodeName ?? null) !== nominatedNodeName) {
      update.nominatedNodeName = nominatedNodeName;
    }
    if (update.condition || update.nominatedNodeName !== undefined) this.fire(this.source.patchPodStatus(q.pod, update));
  }

  private preempt(pod: Pod, nodeName: string, victims: Pod[], clear: Pod[]): void {
    this.stats.preemptions++;
    const uid = pod.metadata?.uid ?? podInfoOf(pod).uid;
    for (const v of victims) {
      this.fire(this.source.recordEvent(v, 'Normal', 'Preempted', `Preempted by pod ${uid} on node ${nodeName}`));
      this.fire(this.source.deletePod(v));
    }
    for (const p of clear) {
      this.queue.deleteNominatedPod(podInfoOf(p).uid);
      this.fire(this.source.patchPodStatus(p, { nominatedNodeName: null }));
    }
  }

  /** Runs a write in the background, logging failures. */
  private fire(p: Promise<void>): void {
    const tracked = p.catch((e) => this.log(`scheduler: ${(e as Error).message ?? e}`)).finally(() => this.sideEffects.delete(tracked));
    this.sideEffects.add(tracked);
  }
}
