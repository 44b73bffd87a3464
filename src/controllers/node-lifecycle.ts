/**
 * The node lifecycle controller (upstream's node-lifecycle-controller plus the NoExecute taint
 * manager), through the API only:
 *  - a node whose Lease in kube-node-lease (or Ready heartbeat) has not been renewed for the
 *    grace period (40 s upstream) gets every condition set to Unknown (NodeStatusUnknown,
 *    "Kubelet stopped posting node status."; NodeStatusNeverUpdated for a node that never
 *    posted), and the Ready condition of its pods goes False;
 *  - Ready Unknown → taints node.kubernetes.io/unreachable NoSchedule+NoExecute, Ready False →
 *    node.kubernetes.io/not-ready NoSchedule+NoExecute; they go when the node is Ready again;
 *  - NoExecute taints evict: pods that do not tolerate them are deleted at once; pods tolerating
 *    them with tolerationSeconds are deleted that long after the taint was added (a
 *    DisruptionTarget condition is written first, as upstream).
 * Heartbeats are timed by when this controller saw them change (not the clocks in the objects).
 * Each node is one key; reconcile asks to come back when the grace period or an eviction is due.
 */
import { findResource } from '../api/resources.js';
import { isConflict, isNotFound, type KObject } from '../client/rest-client.js';
import type { SharedInformer } from '../client/informer.js';
import { Lister } from '../client/lister.js';
import { toleratesTaint } from '../machinery/node-selection.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const LEASE_NAMESPACE = 'kube-node-lease';
const NODE_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const POD_NODE_INDEX = 'nodelifecycle/spec.nodeName';

export interface NodeLifecycleOptions {
  /** How long a node may go without renewing its lease or posting status before it is Unknown (default 40 s). */
  gracePeriodMs?: number;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/**
 * How long (ms) a pod may stay on a node with these NoExecute taints: 0 = evict now, Infinity =
 * never (upstream's GetMatchingTolerations + getMinTolerationTime).
 */
export function tolerationTimeMs(tolerations: Toleration[], taints: Taint[]): number {
  if (!taints.length) return Infinity;
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return 0;
    used.push(t);
  }
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds * 1000);
  }
  return min;
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function condition(obj: KObject, type: string): KObject | undefined {
  return (obj.status?.conditions ?? []).find((c: KObject) => c.type === type);
}

export class NodeLifecycleController extends BaseController {
  private readonly nodesR = findResource('', 'v1', 'nodes')!;
  private readonly podsR = findResource('', 'v1', 'pods')!;
  private readonly nodes: Lister;
  private readonly leases: Lister;
  private readonly pods: SharedInformer;
  private readonly graceMs: number;
  /** node → the heartbeat last seen and when this controller saw it change. */
  private readonly observed = new Map<string, { probe: string; at: number }>();
  /** "node/key/effect" → when this controller first saw a NoExecute taint without timeAdded. */
  private readonly taintSeen = new Map<string, number>();

  constructor(ctx: ControllerContext, opts: NodeLifecycleOptions = {}) {
    super('nodelifecycle', ctx, { workers: 4 });
    this.graceMs = opts.gracePeriodMs ?? 40_000;
    const nodes = ctx.informers.informerFor(this.nodesR);
    const leases = ctx.informers.informerFor(findResource('coordination.k8s.io', 'v1', 'leases')!, { namespace: LEASE_NAMESPACE });
    this.pods = ctx.informers.informerFor(this.podsR);
    if (!this.pods.store.hasIndex(POD_NODE_INDEX)) {
      this.pods.addIndexers({ [POD_NODE_INDEX]: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
    }
    this.nodes = new Lister(nodes.store);
    this.leases = new Lister(leases.store);
    this.watch(nodes, (n) => n.metadata?.name);
    this.handle(leases, {
      onAdd: (l) => this.leaseChanged(l),
      onUpdate: (_o, l) => this.leaseChanged(l),
    });
    const podChanged = (p: KObject): void => {
      const name = p.spec?.nodeName;
      if (!name || p.metadata?.deletionTimestamp) return;
      const node = this.nodes.get('', name);
      if (!node) return;
      const troubled = (node.spec?.taints ?? []).some((t: Taint) => t.effect === 'NoExecute') || condition(node, 'Ready')?.status !== 'True';
      if (troubled) this.queue.add(name);
    };
    this.handle(this.pods, { onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });
  }

  /** A renewed lease counts as a heartbeat at once; the node is only reconciled if it needs to recover. */
  private leaseChanged(lease: KObject): void {
    const name = lease.metadata?.name;
    const node = name ? this.nodes.get('', name) : undefined;
    if (!node) return;
    this.observe(node);
    if (condition(node, 'Ready')?.status !== 'True') this.queue.add(name);
  }

  private observe(node: KObject, now = Date.now()): { probe: string; at: number } {
    const name: string = node.metadata.name;
    const lease = this.leases.get(LEASE_NAMESPACE, name);
    const probe = `${lease?.spec?.renewTime ?? ''}|${condition(node, 'Ready')?.lastHeartbeatTime ?? ''}`;
    let o = this.observed.get(name);
    if (!o || o.probe !== probe) {
      o = { probe, at: now };
      this.observed.set(name, o);
    }
    return o;
  }

  protected async reconcile(name: string): Promise<ReconcileResult> {
    let node = this.nodes.get('', name);
    if (!node) {
      this.observed.delete(name);
      for (const k of this.taintSeen.keys()) if (k.startsWith(`${name}/`)) this.taintSeen.delete(k);
      return;
    }
    const now = Date.now();
    const seen = this.observe(node, now);
    const silentFor = now - seen.at;
    let wake = Infinity;
    let ready = condition(node, 'Ready');
    if (silentFor >= this.graceMs) {
      if (ready?.status !== 'Unknown') {
        node = await this.markUnknown(node, now);
        if (!node) return;
        ready = condition(node, 'Ready');
        await this.markPodsNotReady(name, now);
      }
    } else {
      wake = Math.min(wake, this.graceMs - silentFor + 10);
    }
    node = await this.syncTaints(node, ready?.status);
    if (!node) return;
    wake = Math.min(wake, await this.evict(node, now));
    return Number.isFinite(wake) ? { requeueAfter: Math.max(10, wake) } : undefined;
  }

  /** Sets Ready and the pressure conditions to Unknown; returns the updated node (undefined if gone). */
  private async markUnknown(node: KObject, now: number): Promise<KObject | undefined> {
    const copy = structuredClone(node);
    const ts = rfc3339(now);
    const conds: KObject[] = copy.status?.conditions ?? [];
    const never = !condition(node, 'Ready');
    for (const type of NODE_CONDITIONS) {
      const c = conds.find((x) => x.type === type);
      const reason = never ? 'NodeStatusNeverUpdated' : 'NodeStatusUnknown';
      const message = never ? 'Kubelet never posted node status.' : 'Kubelet stopped posting node status.';
      if (!c) {
        conds.push({ type, status: 'Unknown', reason, message, lastHeartbeatTime: copy.metadata.creationTimestamp, lastTransitionTime: ts });
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason, message, lastTransitionTime: ts });
      }
    }
    copy.status = { ...(copy.status ?? {}), conditions: conds };
    try {
      const updated = await this.ctx.client.updateStatus(this.nodesR, copy);
      this.ctx.log(`nodelifecycle: node ${node.metadata.name} hasn't been updated for ${Math.round((now - (this.observed.get(node.metadata.name)?.at ?? now)) / 1000)}s; marked Ready Unknown`);
      return updated;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Upstream's MarkPodsNotReady: the Ready condition of every pod on the node goes False. */
  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    const ts = rfc3339(now);
    const pods = this.pods.store.byIndex(POD_NODE_INDEX, nodeName);
    await Promise.all(pods.map(async (pod) => {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      const ready = condition(pod, 'Ready');
      if (!ready || ready.status === 'False') return;
      try {
        await this.ctx.client.patch(this.podsR, pod.metadata.namespace, pod.metadata.name, 'strategic', {
          status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ts }] },
        }, { subresource: 'status' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }));
  }

  /** Adds or removes the not-ready / unreachable taints to match the Ready condition. */
  private async syncTaints(node: KObject, ready: string | undefined): Promise<KObject | undefined> {
    const taints: Taint[] = node.spec?.taints ?? [];
    const want = ready === 'Unknown' ? TAINT_UNREACHABLE : ready === 'False' ? TAINT_NOT_READY : undefined;
    const ours = (t: Taint): boolean => t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY;
    const keep = taints.filter((t) => !ours(t) || (t.key === want && (t.effect === 'NoSchedule' || t.effect === 'NoExecute')));
    const next = [...keep];
    const ts = rfc3339(Date.now());
    if (want) {
      for (const effect of ['NoSchedule', 'NoExecute']) {
        if (!next.some((t) => t.key === want && t.effect === effect)) next.push(effect === 'NoExecute' ? { key: want, effect, timeAdded: ts } : { key: want, effect });
      }
    }
    if (next.length === taints.length && next.every((t, i) => t === taints[i])) return node;
    const copy = structuredClone(node);
    copy.spec = { ...(copy.spec ?? {}), taints: next };
    if (!next.length) delete copy.spec.taints;
    try {
      return await this.ctx.client.update(this.nodesR, copy);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes pods whose NoExecute toleration time is up; returns ms until the next one is due. */
  private async evict(node: KObject, now: number): Promise<number> {
    const name: string = node.metadata.name;
    const taints: Taint[] = (node.spec?.taints ?? []).filter((t: Taint) => t.effect === 'NoExecute');
    if (!taints.length) return Infinity;
    // Eviction time counts from the newest taint the pod has to tolerate.
    let since = 0;
    for (const t of taints) {
      const key = `${name}/${t.key}/${t.effect}`;
      let at = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
      if (!Number.isFinite(at)) {
        at = this.taintSeen.get(key) ?? now;
        this.taintSeen.set(key, at);
      }
      since = Math.max(since, at);
    }
    let wake = Infinity;
    const due: KObject[] = [];
    for (const pod of this.pods.store.byIndex(POD_NODE_INDEX, name)) {
      if (pod.metadata?.deletionTimestamp) continue;
      const allowed = tolerationTimeMs(pod.spec?.tolerations ?? [], taints);
      if (!Number.isFinite(allowed)) continue;
      const at = allowed === 0 ? now : since + allowed;
      if (at <= now) due.push(pod);
      else wake = Math.min(wake, at - now);
    }
    await Promise.all(due.map((pod) => this.evictPod(pod)));
    return wake;
  }

  private async evictPod(pod: KObject): Promise<void> {
    const ns: string = pod.metadata.namespace;
    const pn: string = pod.metadata.name;
    const ts = rfc3339(Date.now());
    try {
      await this.ctx.client.patch(this.podsR, ns, pn, 'strategic', {
        status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: ts }] },
      }, { subresource: 'status' });
      await this.ctx.client.delete(this.podsR, ns, pn, { preconditions: { uid: pod.metadata.uid } });
      this.ctx.log(`nodelifecycle: deleted pod ${ns}/${pn} on node ${pod.spec?.nodeName} (NoExecute taint)`);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
