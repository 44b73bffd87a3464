/**
 * startNodeStatus: a real node's registration and heartbeats, as the upstream kubelet's node status
 * manager and lease controller: registers the Node (re-registers it when deleted), posts status
 * computed from the machine and the container runtime (every 10 s it checks; it writes when
 * something changed or 5 minutes passed, and polls every second while the node is not Ready),
 * renews its Lease in kube-node-lease every 10 s (40 s duration), and waits for the node IPAM
 * controller's spec.podCIDR, then writes the CNI conflist for it (NetworkReady follows).
 */
import { join } from 'node:path';
import { findResource } from '../../api/resources.js';
import { ApiError, SharedInformer, isNotFound, type KObject, type KubeClient } from '../../client/index.js';
import { errorChainMessage } from '../../machinery/error-chain.js';
import type { CriClient, ListImagesResponse, StatusResponse, VersionResponse } from '../cri/index.js';
import { writeCniConfig } from '../network/index.js';
import { LEASE_NAMESPACE, leaseObject, microTime, rfc3339 } from './lease.js';
import { readMachineInfo, type MachineInfo } from './machine-info.js';
import { capacityOf, nodeLabels, nodeObject, nodeStatus, statusFingerprint, type RuntimeFacts } from './node-status.js';

/** How long failed runtime calls are bridged with the last answer before the runtime counts as down. */
const RUNTIME_DOWN_AFTER_MS = 30_000;
const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

/** The runtime calls node status needs (H1's CRI client adapted by criNodeRuntime). */
export interface NodeRuntime {
  version(): Promise<VersionResponse>;
  status(): Promise<StatusResponse>;
  listImages(): Promise<ListImagesResponse>;
  /** Tells the runtime the pod CIDR (CRI UpdateRuntimeConfig); optional. */
  updatePodCidr?(podCidr: string): Promise<void>;
}

export function criNodeRuntime(cri: CriClient): NodeRuntime {
  return {
    version: () => cri.runtime.version({ version: 'v1' }),
    status: () => cri.runtime.status({}),
    listImages: () => cri.image.listImages({}),
    updatePodCidr: async (podCidr) => {
      await cri.runtime.updateRuntimeConfig({ runtimeConfig: { networkConfig: { podCidr } } });
    },
  };
}

export interface NodeStatusOptions {
  client: KubeClient;
  nodeName: string;
  nodeIP: string;
  /** The kubelet API port reported in status.daemonEndpoints. */
  kubeletPort: number;
  runtime: NodeRuntime;
  /** The server/agent data dir D: its filesystem is ephemeral-storage; CNI files go to D/agent/cni and D/agent/cni-ipam. */
  dataDir: string;
  labels?: Record<string, string>;
  /** Taints the node registers with (upstream --register-with-taints). */
  taints?: KObject[];
  /** Register with this podCIDR instead of waiting for the node IPAM controller. */
  podCIDR?: string;
  /** CNI conflist for the podCIDR: bridge name (default k8ts0); false = do not write one. */
  cni?: { bridge?: string; networkName?: string } | false;
  /** How often status is computed (default 10 s) and written at the latest when unchanged (default 5 min). */
  statusUpdateMs?: number;
  statusReportMs?: number;
  /** How often status is computed while the node is not Ready (default 1 s). */
  notReadyPollMs?: number;
  leaseRenewMs?: number;
  leaseDurationSeconds?: number;
  /** How long the runtime may fail to answer before Ready goes False with "container runtime is down" (default 30 s). */
  runtimeDownAfterMs?: number;
  log?: (msg: string) => void;
}

export interface RunningNodeStatus {
  readonly nodeName: string;
  /** Resolves with node.spec.podCIDR once it is set (and the CNI config for it written). */
  podCIDR(): Promise<string>;
  /** Whether the last status posted had Ready True. */
  ready(): boolean;
  readonly allocatable: Record<string, string>;
  /** The Node as last seen. */
  node(): KObject | undefined;
  /** Computes and writes status now. */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNodeStatus(opts: NodeStatusOptions): Promise<RunningNodeStatus> {
  const m = new NodeStatusManager(opts, await readMachineInfo(opts.dataDir));
  await m.start();
  return {
    nodeName: opts.nodeName,
    podCIDR: () => m.podCidrPromise,
    ready: () => m.isReady,
    get allocatable() {
      return capacityOf(m.machine).allocatable;
    },
    node: () => m.current,
    sync: () => m.syncStatus(true),
    stop: () => m.stop(),
  };
}

class NodeStatusManager {
  isReady = false;
  current?: KObject;
  readonly podCidrPromise: Promise<string>;
  private resolvePodCidr!: (cidr: string) => void;
  private podCidrWritten?: string;
  private readonly labels: Record<string, string>;
  private readonly log: (msg: string) => void;
  private informer?: SharedInformer;
  private statusTimer?: NodeJS.Timeout;
  private leaseTimer?: NodeJS.Timeout;
  private stopped = false;
  private lastFingerprint?: string;
  private lastReport = 0;
  private syncing?: Promise<void>;
  private registering?: Promise<void>;
  private lastRuntime?: { at: number; facts: RuntimeFacts };
  private lastRuntimeError?: string;

  constructor(private readonly o: NodeStatusOptions, readonly machine: MachineInfo) {
    this.labels = nodeLabels(o.nodeName, machine.architecture, o.labels);
    this.log = o.log ?? (() => {});
    this.podCidrPromise = new Promise((r) => (this.resolvePodCidr = r));
  }

  async start(): Promise<void> {
    await this.register();
    await this.renewLease();
    if (this.stopped) return;
    const informer = new SharedInformer(this.o.client, NODES, { fieldSelector: `metadata.name=${this.o.nodeName}`, log: this.log });
    this.informer = informer;
    informer.addEventHandler({
      onAdd: (n) => this.seen(n),
      onUpdate: (_old, n) => this.seen(n),
      onDelete: () => {
        this.current = undefined;
        if (this.stopped) return;
        this.log(`node ${this.o.nodeName}: Node was deleted; registering it again`);
        this.reRegister();
      },
    });
    informer.start();
    await informer.waitForSync();
    this.scheduleStatus();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.statusTimer);
    clearTimeout(this.leaseTimer);
    await this.informer?.stop();
    await this.syncing?.catch(() => undefined);
  }

  private seen(node: KObject): void {
    this.current = node;
    const cidr: string | undefined = node.spec?.podCIDR;
    if (cidr && cidr !== this.podCidrWritten) {
      this.podCidrWritten = cidr;
      this.applyPodCidr(cidr).catch((err: unknown) => {
        this.podCidrWritten = undefined;
        this.log(`node ${this.o.nodeName}: configuring the pod network for ${cidr}: ${errorChainMessage(err)}`);
      });
    }
  }

  private async applyPodCidr(cidr: string): Promise<void> {
    if (this.o.cni !== false) {
      const agentDir = join(this.o.dataDir, 'agent');
      const { path, changed } = await writeCniConfig({
        confDir: join(agentDir, 'cni'), ipamDataDir: join(agentDir, 'cni-ipam'), podCIDR: cidr,
        bridge: this.o.cni?.bridge, networkName: this.o.cni?.networkName,
      });
      if (changed) this.log(`node ${this.o.nodeName}: pod CIDR ${cidr}, CNI config ${path}`);
    }
    await this.o.runtime.updatePodCidr?.(cidr).catch((err: unknown) => this.log(`node ${this.o.nodeName}: UpdateRuntimeConfig: ${errorChainMessage(err)}`));
    this.resolvePodCidr(cidr);
  }

  /**
   * What the runtime says now. A failed call reuses the last answer for up to 30 s (upstream's
   * runtime sync threshold) before the node reports "container runtime is down".
   */
  private async runtimeFacts(): Promise<RuntimeFacts> {
    try {
      const [version, status, images] = await Promise.all([this.o.runtime.version(), this.o.runtime.status(), this.o.runtime.listImages()]);
      this.lastRuntime = { at: Date.now(), facts: { version, conditions: status.status?.conditions ?? [], images: images.images } };
      return this.lastRuntime.facts;
    } catch (err) {
      const message = errorChainMessage(err);
      if (this.lastRuntime && Date.now() - this.lastRuntime.at < (this.o.runtimeDownAfterMs ?? RUNTIME_DOWN_AFTER_MS)) return this.lastRuntime.facts;
      if (this.lastRuntimeError !== message) this.log(`node ${this.o.nodeName}: container runtime: ${message}`);
      this.lastRuntimeError = message;
      return { error: message, version: this.lastRuntime?.facts.version };
    }
  }

  private async computeStatus(old: KObject[]): Promise<KObject> {
    const runtime = await this.runtimeFacts();
    const status = nodeStatus({ name: this.o.nodeName, nodeIP: this.o.nodeIP, kubeletPort: this.o.kubeletPort, machine: this.machine, runtime }, rfc3339(), old);
    this.isReady = status.conditions.some((c: KObject) => c.type === 'Ready' && c.status === 'True');
    return status;
  }

  private async register(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.registerOnce();
        return;
      } catch (err) {
        if (attempt === 0 || attempt % 10 === 0) this.log(`node ${this.o.nodeName}: registering: ${errorChainMessage(err)}`);
        await new Promise((r) => setTimeout(r, Math.min(7000, 200 * 2 ** attempt)));
      }
    }
  }

  private async registerOnce(): Promise<void> {
    const status = await this.computeStatus([]);
    try {
      this.current = await this.o.client.create(NODES, undefined, nodeObject({
        name: this.o.nodeName, labels: this.labels, taints: this.o.taints, podCIDR: this.o.podCIDR, status,
      }));
      this.log(`node ${this.o.nodeName}: registered`);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      // Already registered (an agent restart): bring our labels up to date and post status.
      const existing = await this.o.client.patch(NODES, undefined, this.o.nodeName, 'merge', { metadata: { labels: this.labels } });
      const fresh = await this.computeStatus(existing.status?.conditions ?? []);
      this.current = await this.o.client.patch(NODES, undefined, this.o.nodeName, 'merge', { status: fresh }, { subresource: 'status' });
      this.lastFingerprint = statusFingerprint(fresh);
    }
    if (this.current?.status) this.lastFingerprint ??= statusFingerprint(status);
    this.lastReport = Date.now();
    if (this.current) this.seen(this.current);
  }

  private reRegister(): void {
    this.registering ??= this.register().finally(() => {
      this.registering = undefined;
    });
  }

  /** Computes status; writes it when it changed, when `force`, or when the report period passed. */
  syncStatus(force = false): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      const old: KObject[] = this.current?.status?.conditions ?? [];
      const status = await this.computeStatus(old);
      const fp = statusFingerprint(status);
      if (!force && fp === this.lastFingerprint && Date.now() - this.lastReport < (this.o.statusReportMs ?? 300_000)) return;
      try {
        this.current = await this.o.client.patch(NODES, undefined, this.o.nodeName, 'merge', { status }, { subresource: 'status' });
        this.lastFingerprint = fp;
        this.lastReport = Date.now();
      } catch (err) {
        if (isNotFound(err)) {
          this.reRegister();
          return;
        }
        throw err;
      }
    };
    const p = (this.syncing ?? Promise.resolve()).catch(() => undefined).then(run);
    this.syncing = p;
    return p;
  }

  private scheduleStatus(): void {
    if (this.stopped) return;
    const waitingForNetwork = !this.isReady || this.podCidrWritten === undefined;
    const delay = waitingForNetwork ? this.o.notReadyPollMs ?? 1000 : this.o.statusUpdateMs ?? 10_000;
    this.statusTimer = setTimeout(() => {
      this.syncStatus()
        .catch((err: unknown) => this.log(`node ${this.o.nodeName}: posting node status: ${errorChainMessage(err)}`))
        .finally(() => this.scheduleStatus());
    }, delay);
  }

  private async renewLease(): Promise<void> {
    if (this.stopped) return;
    const duration = this.o.leaseDurationSeconds ?? 40;
    const now = new Date();
    try {
      await this.o.client.patch(LEASES, LEASE_NAMESPACE, this.o.nodeName, 'merge', {
        spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: duration, renewTime: microTime(now) },
      });
    } catch (err) {
      if (!isNotFound(err)) {
        this.log(`node ${this.o.nodeName}: renewing lease: ${errorChainMessage(err)}`);
      } else {
        await this.o.client.create(LEASES, LEASE_NAMESPACE, leaseObject(this.o.nodeName, this.current?.metadata?.uid, duration, now)).catch((e: unknown) => {
          if (!(e instanceof ApiError && e.code === 409)) this.log(`node ${this.o.nodeName}: creating lease: ${errorChainMessage(e)}`);
        });
      }
    } finally {
      if (!this.stopped) {
        this.leaseTimer = setTimeout(() => void this.renewLease(), this.o.leaseRenewMs ?? 10_000);
      }
    }
  }
}
