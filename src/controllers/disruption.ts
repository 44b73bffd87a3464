/**
 * The disruption controller: keeps PodDisruptionBudget status current, so the API server's
 * eviction subresource (which honours status.disruptionsAllowed) and `kubectl drain` behave as
 * upstream. For each budget, from the pods its selector matches in its namespace:
 *  - expectedPods: with an integer minAvailable, the number of matching pods; otherwise the
 *    scale of the pods' controllers (Deployment — through its ReplicaSets —, ReplicaSet,
 *    StatefulSet, ReplicationController, or any owner with a scale subresource), each counted
 *    once, plus one for every pod without such a controller;
 *  - desiredHealthy: minAvailable (a percentage of expectedPods, rounded up), or expectedPods
 *    minus maxUnavailable (likewise); 0 when neither is set;
 *  - currentHealthy: matching pods that are Ready and not being deleted (and not listed in
 *    status.disruptedPods by a recent eviction);
 *  - disruptionsAllowed = currentHealthy − desiredHealthy (0 when negative or no pods are expected),
 *    the DisruptionAllowed condition (SufficientPods / InsufficientPods / SyncFailed) and
 *    observedGeneration.
 * Status-only updates of a budget (such as the eviction subresource's decrement) do not trigger a
 * recount, so a count from a cache that has not seen the evicted pod go cannot undo it.
 */
import { findResource, findResourceByKind, type ResourceInfo } from '../api/resources.js';
import { isConflict, isNotFound, type KObject } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { matches, selectorFromObject } from '../machinery/labels.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';
import { isPodReady } from './pod-readiness.js';
import { controllerRefOf } from './owner-claim.js';

/** How long an entry of status.disruptedPods keeps a pod out of currentHealthy (upstream: 2 min). */
const DISRUPTED_POD_TIMEOUT_MS = 2 * 60 * 1000;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** intstr.GetScaledValueFromIntOrPercent (rounding up). */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  }
  return Math.ceil((Number(m[1]) * total) / 100);
}


const groupOf = (apiVersion: string | undefined): string => (apiVersion?.includes('/') ? apiVersion.split('/')[0] : '');

export class DisruptionController extends BaseController {
  private readonly pdbR = findResource('policy', 'v1', 'poddisruptionbudgets')!;
  private readonly pdbs: Lister;
  private readonly pods: Lister;
  private readonly replicaSets: Lister;
  private readonly deployments: Lister;
  private readonly statefulSets: Lister;
  private readonly replicationControllers: Lister;

  constructor(ctx: ControllerContext) {
    super('disruption', ctx, { workers: 2 });
    const inf = ctx.informers;
    const pdbInf = inf.informerFor(this.pdbR);
    const podInf = inf.informerFor(findResource('', 'v1', 'pods')!);
    const informerOf = (r: ResourceInfo) => inf.informerFor(r);
    const rsInf = informerOf(findResource('apps', 'v1', 'replicasets')!);
    const deployInf = informerOf(findResource('apps', 'v1', 'deployments')!);
    const ssInf = informerOf(findResource('apps', 'v1', 'statefulsets')!);
    const rcInf = informerOf(findResource('', 'v1', 'replicationcontrollers')!);
    this.pdbs = new Lister(pdbInf.store);
    this.pods = new Lister(podInf.store);
    this.replicaSets = new Lister(rsInf.store);
    this.deployments = new Lister(deployInf.store);
    this.statefulSets = new Lister(ssInf.store);
    this.replicationControllers = new Lister(rcInf.store);
    // A controller's scale changing changes expectedPods of the budgets in its namespace.
    const changed = (o: KObject): void => this.enqueueNamespace(o.metadata?.namespace);
    for (const i of [rsInf, deployInf, ssInf, rcInf]) {
      this.handle(i, {
        onAdd: changed,
        onDelete: changed,
        onUpdate: (old, o) => {
          if (old.spec?.replicas !== o.spec?.replicas) changed(o);
        },
      });
    }
    this.handle(pdbInf, {
      onAdd: (p) => this.enqueue(p),
      onDelete: (p) => this.enqueue(p),
      // A status-only change (generation unchanged) is this controller's own write or an eviction.
      onUpdate: (old, p) => {
        if (old === p || old.metadata?.generation !== p.metadata?.generation) this.enqueue(p);
      },
    });
    this.handle(podInf, {
      onAdd: (p) => this.enqueueForPod(p),
      onDelete: (p) => this.enqueueForPod(p),
      onUpdate: (old, p) => {
        this.enqueueForPod(p);
        if (old.metadata?.labels !== p.metadata?.labels) this.enqueueForPod(old);
      },
    });
  }

  private enqueue(pdb: KObject): void {
    this.queue.add(`${pdb.metadata.namespace}/${pdb.metadata.name}`);
  }

  private enqueueNamespace(ns: string | undefined): void {
    if (!ns) return;
    for (const p of this.pdbs.list(ns)) this.enqueue(p);
  }

  private enqueueForPod(pod: KObject): void {
    const ns = pod.metadata?.namespace;
    if (!ns) return;
    for (const pdb of this.pdbs.list(ns)) {
      try {
        if (matches(selectorFromObject(pdb.spec?.selector), pod.metadata?.labels)) this.enqueue(pdb);
      } catch {
        // an invalid selector matches nothing
      }
    }
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const pdb = this.pdbs.get(ns, name);
    if (!pdb || pdb.metadata?.deletionTimestamp) return;
    const now = Date.now();
    let status: KObject;
    let wake = Infinity;
    try {
      const selector = selectorFromObject(pdb.spec?.selector);
      const pods = this.pods.list(ns).filter((p) => matches(selector, p.metadata?.labels));
      const { expectedCount, desiredHealthy } = await this.expected(pdb, pods);
      const disrupted: Record<string, string> = {};
      for (const [pod, at] of Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>)) {
        const p = pods.find((x) => x.metadata.name === pod);
        const expires = Date.parse(at) + DISRUPTED_POD_TIMEOUT_MS;
        if (!p || p.metadata.deletionTimestamp || !(expires > now)) continue;
        disrupted[pod] = at;
        wake = Math.min(wake, expires - now);
      }
      const currentHealthy = pods.filter((p) => !p.metadata?.deletionTimestamp && !disrupted[p.metadata.name] && isPodReady(p)).length;
      let allowed = currentHealthy - desiredHealthy;
      if (expectedCount <= 0 || allowed <= 0) allowed = 0;
      status = {
        observedGeneration: pdb.metadata.generation,
        disruptionsAllowed: allowed,
        currentHealthy,
        desiredHealthy,
        expectedPods: expectedCount,
        ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
      };
      status.conditions = this.conditions(pdb, allowed > 0
        ? { status: 'True', reason: 'SufficientPods', message: '' }
        : { status: 'False', reason: 'InsufficientPods', message: '' }, now, status.observedGeneration);
    } catch (err) {
      // Fail safe, as upstream: no disruptions while the budget cannot be computed.
      const message = err instanceof Error ? err.message : String(err);
      status = {
        ...(pdb.status ?? {}),
        observedGeneration: pdb.metadata.generation,
        disruptionsAllowed: 0,
        conditions: this.conditions(pdb, { status: 'False', reason: 'SyncFailed', message }, now, pdb.metadata.generation),
      };
    }
    // A conflict means the budget changed under us: count again shortly.
    if (!(await this.writeStatus(pdb, status))) return { requeueAfter: 50 };
    return Number.isFinite(wake) ? { requeueAfter: wake + 10 } : undefined;
  }

  private conditions(pdb: KObject, c: { status: string; reason: string; message: string }, now: number, generation: number): KObject[] {
    const old: KObject[] = pdb.status?.conditions ?? [];
    const prev = old.find((o) => o.type === 'DisruptionAllowed');
    const cond = {
      type: 'DisruptionAllowed', status: c.status, reason: c.reason, message: c.message, observedGeneration: generation,
      lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(now),
    };
    return [...old.filter((o) => o.type !== 'DisruptionAllowed'), cond];
  }

  /** Writes the status if it changed; false on a conflict. */
  private async writeStatus(pdb: KObject, status: KObject): Promise<boolean> {
    const old = pdb.status ?? {};
    const same = JSON.stringify(canonical(old)) === JSON.stringify(canonical(status));
    if (same) return true;
    try {
      await this.ctx.client.updateStatus(this.pdbR, { ...pdb, status });
      return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** upstream's getExpectedPodCount. */
  private async expected(pdb: KObject, pods: KObject[]): Promise<{ expectedCount: number; desiredHealthy: number }> {
    const spec = pdb.spec ?? {};
    const set = (v: unknown): v is number | string => v !== undefined && v !== null;
    if (set(spec.maxUnavailable)) {
      const expectedCount = await this.expectedScale(pdb, pods);
      const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount);
      return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable) };
    }
    if (set(spec.minAvailable)) {
      if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable };
      const expectedCount = await this.expectedScale(pdb, pods);
      return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount) };
    }
    return { expectedCount: 0, desiredHealthy: 0 };
  }

  /** The summed scale of the pods' controllers (each once); pods without one count one each. */
  private async expectedScale(pdb: KObject, pods: KObject[]): Promise<number> {
    const ns: string = pdb.metadata.namespace;
    const scales = new Map<string, number>();
    let unmanaged = 0;
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      const found = ref ? await this.scaleOf(ns, ref) : undefined;
      if (!found) {
        unmanaged++;
        continue;
      }
      scales.set(found.uid, found.replicas);
    }
    let total = unmanaged;
    for (const n of scales.values()) total += n;
    return total;
  }

  /** The controller at the top of a pod's controller chain that has a scale, with its replicas. */
  private async scaleOf(ns: string, ref: KObject): Promise<{ uid: string; replicas: number } | undefined> {
    const group = groupOf(ref.apiVersion);
    const byUid = (l: Lister): KObject | undefined => {
      const o = l.get(ns, ref.name);
      return o && o.metadata?.uid === ref.uid ? o : undefined;
    };
    const replicas = (o: KObject): number => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);
    if (group === 'apps' && ref.kind === 'ReplicaSet') {
      const rs = byUid(this.replicaSets);
      if (!rs) return undefined;
      const owner = controllerRefOf(rs);
      if (owner && groupOf(owner.apiVersion) === 'apps' && owner.kind === 'Deployment') {
        const d = this.deployments.get(ns, owner.name);
        if (d && d.metadata?.uid === owner.uid) return { uid: d.metadata.uid, replicas: replicas(d) };
        return undefined;
      }
      return { uid: rs.metadata.uid, replicas: replicas(rs) };
    }
    const lister = group === 'apps' && ref.kind === 'StatefulSet' ? this.statefulSets
      : group === 'apps' && ref.kind === 'Deployment' ? this.deployments
        : group === '' && ref.kind === 'ReplicationController' ? this.replicationControllers
          : undefined;
    if (lister) {
      const o = byUid(lister);
      return o ? { uid: o.metadata.uid, replicas: replicas(o) } : undefined;
    }
    // Any other owner with a scale subresource (e.g. a custom resource).
    const version = ref.apiVersion?.includes('/') ? ref.apiVersion.split('/')[1] : ref.apiVersion ?? 'v1';
    const r = findResourceByKind(group, version, ref.kind);
    if (!r || !('scale' in r.subresources)) return undefined;
    try {
      const scale = await this.ctx.client.request<KObject>('GET', `${r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`}/namespaces/${encodeURIComponent(ns)}/${r.plural}/${encodeURIComponent(ref.name)}/scale`);
      if (scale?.metadata?.uid && scale.metadata.uid !== ref.uid) return undefined;
      return { uid: ref.uid, replicas: scale?.spec?.replicas ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** Sorted keys, for comparing statuses. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}
