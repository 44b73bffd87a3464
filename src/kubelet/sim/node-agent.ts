/**
 * SimNode: one simulated node agent. Registers its Node, renews its Lease in kube-node-lease
 * (every 10 s) and posts node status (every minute), and drives the pods bound to it
 * (fieldSelector spec.nodeName=NAME) through the lifecycle stages of stages.ts, writing what a
 * kubelet would write through the API. Deadlines live on a shared Timeline (one timer for every
 * node and pod); status writes go out with bounded concurrency. stop() halts heartbeats and pod
 * handling and leaves the pods as they are (a failed node); start() again resumes.
 */
import { findResource } from '../../api/resources.js';
import { ApiError, SharedInformer, objectKey, type KObject, type KubeClient } from '../../client/index.js';
import { errorChainMessage } from '../../machinery/error-chain.js';
import {
  DEFAULT_CAPACITY, LEASE_NAMESPACE, leaseObject, microTime, nodeIPFor, nodeLabels, nodeObject,
  nodeStatus, podCIDRFor, rfc3339, type NodeShape,
} from './node-object.js';
import { PodIPs } from './pod-ips.js';
import { DEFAULT_STAGES, DEFAULT_TIMINGS, matchStage, stageDelay, type Stage, type StageTimings } from './stages.js';
import { renderStatus, templateNeedsIP } from './status-templates.js';
import { Timeline, type TimelineEntry } from './timeline.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

export interface SimNodeOptions {
  /** Node name (default sim-node-INDEX). */
  name?: string;
  /** 1-based: picks the InternalIP (127.0.0.INDEX) and the pod range (10.42.INDEX.0/24). */
  index: number;
  /** The client this node talks to the cluster with (its own identity: system:node:NAME). */
  client: KubeClient;
  /** Shared deadlines (default: a timeline of its own). */
  timeline?: Timeline;
  /** InternalIP (default 127.0.0.INDEX). */
  internalIP?: string;
  /** Pod address range, a /24 (default 10.42.INDEX.0/24). */
  podCIDR?: string;
  /** Capacity (default cpu 4, memory 16Gi, pods 110); allocatable defaults to capacity. */
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  /** Extra labels and annotations; taints the node registers with. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  taints?: KObject[];
  /** Lifecycle timings (ms): createMs 0, startMs 100, runMs 1000, terminateCapMs 1000. */
  timings?: Partial<StageTimings>;
  /** The lifecycle (default DEFAULT_STAGES). */
  stages?: readonly Stage[];
  /** Lease duration written to the Lease (default 40 s) and renewal interval (default 10 s). */
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  /** Node status heartbeat (default 60 s). */
  statusUpdateMs?: number;
  /** Pod status writes in flight at once (default 16). */
  maxInFlight?: number;
  log?: (msg: string) => void;
}

interface Track {
  key: string;
  stage: Stage;
  entry?: TimelineEntry;
  busy: boolean;
  /** resourceVersion of our last write for this stage; events older than it are ignored. */
  appliedRv?: string;
}

const rvAtLeast = (rv: string | undefined, min: string): boolean => {
  if (!rv) return false;
  if (/^\d+$/.test(rv) && /^\d+$/.test(min)) return BigInt(rv) >= BigInt(min);
  return rv === min;
};

export class SimNode {
  readonly name: string;
  readonly shape: NodeShape;
  readonly timings: StageTimings;
  private readonly client: KubeClient;
  private readonly timeline: Timeline;
  private readonly ownTimeline: boolean;
  private readonly stages: readonly Stage[];
  private readonly log: (msg: string) => void;
  private readonly leaseDurationSeconds: number;
  private readonly leaseRenewMs: number;
  private readonly statusUpdateMs: number;
  private readonly maxInFlight: number;
  private readonly ips: PodIPs;
  private readonly tracked = new Map<string, Track>();
  private readonly ready: string[] = [];
  private inFlight = 0;
  private informer?: SharedInformer;
  private leaseTimer?: TimelineEntry;
  private statusTimer?: TimelineEntry;
  private nodeUid?: string;
  private isRunning = false;
  /** Bumped by every start/stop so callbacks of an old run do nothing. */
  private epoch = 0;

  constructor(opts: SimNodeOptions) {
    this.name = opts.name ?? `sim-node-${opts.index}`;
    const capacity = { ...DEFAULT_CAPACITY, ...(opts.capacity ?? {}) };
    this.shape = {
      name: this.name,
      index: opts.index,
      internalIP: opts.internalIP ?? nodeIPFor(opts.index),
      podCIDR: opts.podCIDR ?? podCIDRFor(opts.index),
      capacity,
      allocatable: { ...capacity, ...(opts.allocatable ?? {}) },
      labels: nodeLabels(this.name, opts.labels),
      annotations: { ...(opts.annotations ?? {}) },
      taints: opts.taints ?? [],
    };
    this.client = opts.client;
    this.ownTimeline = !opts.timeline;
    this.timeline = opts.timeline ?? new Timeline();
    this.stages = opts.stages ?? DEFAULT_STAGES;
    this.timings = { ...DEFAULT_TIMINGS, ...(opts.timings ?? {}) };
    this.leaseDurationSeconds = opts.leaseDurationSeconds ?? 40;
    this.leaseRenewMs = opts.leaseRenewMs ?? 10_000;
    this.statusUpdateMs = opts.statusUpdateMs ?? 60_000;
    this.maxInFlight = opts.maxInFlight ?? 16;
    this.log = opts.log ?? (() => {});
    this.ips = new PodIPs(this.shape.podCIDR);
  }

  get running(): boolean {
    return this.isRunning;
  }

  /** Pods this node currently tracks a pending lifecycle step for. */
  get pendingSteps(): number {
    return this.tracked.size;
  }

  /** Registers (or re-registers) the node, takes its lease and starts handling its pods. */
  async start(): Promise<void> {
    if (this.isRunning) return;
    this.isRunning = true;
    const epoch = ++this.epoch;
    try {
      await this.register();
      await this.renewLease(epoch);
    } catch (err) {
      this.isRunning = false;
      throw new Error(`register simulated node ${this.name}`, { cause: err });
    }
    if (epoch !== this.epoch) return;
    this.scheduleStatus(epoch);
    const informer = new SharedInformer(this.client, PODS, { fieldSelector: `spec.nodeName=${this.name}`, log: this.log });
    this.informer = informer;
    informer.addEventHandler({
      onAdd: (pod) => this.consider(pod),
      onUpdate: (_old, pod) => this.consider(pod),
      onDelete: (pod) => this.forget(pod),
    });
    informer.start();
    await informer.waitForSync();
  }

  /** Stops heartbeats and pod handling; the Node, its Lease and its pods stay as they are. */
  async stop(): Promise<void> {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.epoch++;
    this.leaseTimer?.cancel();
    this.statusTimer?.cancel();
    for (const t of this.tracked.values()) t.entry?.cancel();
    this.tracked.clear();
    this.ready.length = 0;
    const informer = this.informer;
    this.informer = undefined;
    await informer?.stop();
  }

  /** Stops and releases what this node owns in the process (its own timeline, if any). */
  async close(): Promise<void> {
    await this.stop();
    if (this.ownTimeline) this.timeline.close();
  }

  // ---- node and lease ----

  private async register(): Promise<void> {
    const now = rfc3339();
    let node: KObject;
    try {
      node = await this.client.create(NODES, undefined, nodeObject(this.shape, now));
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      // Already registered (a restart, or a resumed node): bring labels and status up to date.
      await this.client.patch(NODES, undefined, this.name, 'merge', {
        metadata: { labels: this.shape.labels, annotations: nodeObject(this.shape, now).metadata.annotations },
      });
      node = await this.postStatus();
    }
    this.nodeUid = node.metadata?.uid;
  }

  /** Writes the whole node status with fresh heartbeats (keeping transition times of unchanged conditions). */
  private async postStatus(): Promise<KObject> {
    const current = await this.client.get(NODES, undefined, this.name);
    const status = nodeStatus(this.shape, rfc3339(), current.status?.conditions ?? []);
    return this.client.patch(NODES, undefined, this.name, 'merge', { status }, { subresource: 'status' });
  }

  private async renewLease(epoch: number): Promise<void> {
    if (epoch !== this.epoch) return;
    const now = new Date();
    try {
      await this.client.patch(LEASES, LEASE_NAMESPACE, this.name, 'merge', {
        spec: { holderIdentity: this.name, leaseDurationSeconds: this.leaseDurationSeconds, renewTime: microTime(now) },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      await this.client.create(LEASES, LEASE_NAMESPACE, leaseObject(this.name, this.nodeUid, this.leaseDurationSeconds, now)).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
      });
    } finally {
      if (epoch === this.epoch) {
        this.leaseTimer = this.timeline.after(this.leaseRenewMs, () => {
          this.renewLease(epoch).catch((e: unknown) => this.log(`sim node ${this.name}: renewing lease: ${errorChainMessage(e)}`));
        });
      }
    }
  }

  private scheduleStatus(epoch: number): void {
    this.statusTimer = this.timeline.after(this.statusUpdateMs, () => {
      if (epoch !== this.epoch) return;
      this.postStatus()
        .catch(async (err: unknown) => {
          if (err instanceof ApiError && err.code === 404 && epoch === this.epoch) await this.register();
          else throw err;
        })
        .catch((err: unknown) => this.log(`sim node ${this.name}: posting node status: ${errorChainMessage(err)}`))
        .finally(() => {
          if (epoch === this.epoch) this.scheduleStatus(epoch);
        });
    });
  }

  // ---- pods ----

  private consider(pod: KObject): void {
    if (!this.isRunning) return;
    const uid: string = pod.metadata?.uid;
    const ip = pod.status?.podIP;
    if (ip && !pod.spec?.hostNetwork) this.ips.reserve(uid, ip);
    const stage = matchStage(this.stages, pod);
    let t = this.tracked.get(uid);
    if (!stage) {
      if (t) {
        t.entry?.cancel();
        this.tracked.delete(uid);
      }
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') this.ips.release(uid);
      return;
    }
    if (t && t.stage === stage) {
      if (t.busy || t.entry?.pending) return;
      // Our own write not yet seen: this is an older state.
      if (t.appliedRv && !rvAtLeast(pod.metadata?.resourceVersion, t.appliedRv)) return;
      // Seen our write and still in the same stage: a repeating stage (e.g. restart) goes again.
      if (t.appliedRv && pod.metadata?.resourceVersion === t.appliedRv && !this.repeats(stage)) return;
    }
    t?.entry?.cancel();
    const epoch = this.epoch;
    t = { key: objectKey(pod), stage, busy: false };
    t.entry = this.timeline.after(stageDelay(stage, pod, this.timings), () => {
      if (epoch === this.epoch) this.enqueue(uid);
    });
    this.tracked.set(uid, t);
  }

  /** A stage whose write leaves the pod matching it again (it runs once per write). */
  private repeats(stage: Stage): boolean {
    return stage.status === 'restarted';
  }

  private forget(pod: KObject): void {
    const uid: string = pod.metadata?.uid;
    this.tracked.get(uid)?.entry?.cancel();
    this.tracked.delete(uid);
    this.ips.release(uid);
  }

  private enqueue(uid: string): void {
    this.ready.push(uid);
    this.drain();
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.ready.length) {
      const uid = this.ready.shift()!;
      this.inFlight++;
      const epoch = this.epoch;
      this.apply(uid, epoch)
        .catch((err: unknown) => this.log(`sim node ${this.name}: ${errorChainMessage(err)}`))
        .finally(() => {
          this.inFlight--;
          this.drain();
        });
    }
  }

  private async apply(uid: string, epoch: number): Promise<void> {
    const t = this.tracked.get(uid);
    if (!t || epoch !== this.epoch) return;
    const pod = this.informer?.store.get(t.key);
    if (!pod || pod.metadata?.uid !== uid) {
      this.tracked.delete(uid);
      return;
    }
    const stage = matchStage(this.stages, pod);
    if (stage !== t.stage) {
      this.tracked.delete(uid);
      this.consider(pod);
      return;
    }
    const ns: string = pod.metadata.namespace;
    const name: string = pod.metadata.name;
    t.busy = true;
    try {
      if (stage.delete) {
        await this.client.delete(PODS, ns, name, { gracePeriodSeconds: 0, preconditions: { uid } });
        return;
      }
      if (!stage.status) return;
      let podIP: string | undefined;
      if (templateNeedsIP(stage.status)) {
        podIP = pod.spec?.hostNetwork ? this.shape.internalIP : pod.status?.podIP ?? this.ips.allocate(uid);
        if (!podIP) throw new Error(`pod ${ns}/${name}: no free address in ${this.shape.podCIDR}`);
      }
      const status = renderStatus(stage.status, pod, { now: rfc3339(), hostIP: this.shape.internalIP, podIP });
      const res = await this.client.patch(PODS, ns, name, 'merge', { status }, { subresource: 'status' });
      t.appliedRv = res?.metadata?.resourceVersion;
      if (status.phase === 'Succeeded' || status.phase === 'Failed') this.ips.release(uid);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) {
        // Gone, or changed under us: the informer brings the new state.
        this.tracked.delete(uid);
        return;
      }
      // Try again shortly.
      t.entry = this.timeline.after(1000, () => {
        if (epoch === this.epoch) this.enqueue(uid);
      });
      throw new Error(`pod ${ns}/${name}: stage ${stage.name}`, { cause: err });
    } finally {
      t.busy = false;
    }
  }
}
