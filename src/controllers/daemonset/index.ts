/**
 * controllers/daemonset/: the DaemonSet controller (registered as `daemonset`), as upstream's
 * (1.32): one pod per eligible node (nodeSelector, required node affinity, taints against the
 * template's tolerations plus the automatic daemon tolerations), each created unscheduled with
 * `matchFields metadata.name In [node]` affinity for the scheduler to bind; pods for new nodes;
 * pods removed from nodes that stop being eligible (NoExecute taints, labels, affinity) or that
 * are gone; failed pods replaced; RollingUpdate with maxUnavailable or maxSurge, OnDelete;
 * ControllerRevisions (`<ds>-<hash>`, label controller-revision-hash) with revisionHistoryLimit;
 * expectations; status. May import src/client/, src/api/, src/machinery/ and the shared
 * controller files.
 */
import { findResource } from '../../api/resources.js';
import { Lister } from '../../client/lister.js';
import { isConflict, isNotFound, type KObject } from '../../client/rest-client.js';
import { matches, selectorFromObject, type Selector } from '../../machinery/labels.js';
import { BaseController, type ControllerContext, type ReconcileResult } from '../framework.js';
import {
  controllerRef, createRevision, isControlledBy, newRevision, revisionData, sortRevisions, templatePatch,
  updateRevisionNumber, CONTROLLER_REVISION_HASH_LABEL, CONTROLLER_REVISIONS,
} from '../history.js';
import { ControllerExpectations } from '../controller-expectations.js';
import { controllerRefOf } from '../owner-claim.js';
import { isFinished, isPodAvailable, isPodReady, isTerminating, msUntilAvailable } from '../pod-readiness.js';
import { newDaemonPod, nodeShouldRunDaemonPod, rollingLimits, targetNodeName } from './eligibility.js';

const DAEMONSETS = findResource('apps', 'v1', 'daemonsets')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

const byAge = (a: KObject, b: KObject): number =>
  String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? ''))
  || String(a.metadata.name).localeCompare(String(b.metadata.name));

/** What of a node matters to placement (heartbeats and status changes do not). */
const nodeShape = (n: KObject): string => JSON.stringify([n.metadata?.labels ?? {}, n.spec ?? {}]);

export class DaemonSetController extends BaseController {
  private readonly sets: Lister;
  private readonly pods: Lister;
  private readonly nodes: Lister;
  private readonly revisions: Lister;
  readonly expectations = new ControllerExpectations();

  constructor(ctx: ControllerContext) {
    super('daemonset', ctx, { workers: 4 });
    const setInf = ctx.informers.informerFor(DAEMONSETS);
    const podInf = ctx.informers.informerFor(PODS);
    const nodeInf = ctx.informers.informerFor(NODES);
    const revInf = ctx.informers.informerFor(CONTROLLER_REVISIONS);
    this.sets = new Lister(setInf.store);
    this.pods = new Lister(podInf.store);
    this.nodes = new Lister(nodeInf.store);
    this.revisions = new Lister(revInf.store);
    this.watch(setInf);
    this.handle(podInf, {
      onAdd: (p) => {
        const key = this.ownerKey(p);
        if (key) this.expectations.creationObserved(key);
        this.enqueueFor(p);
      },
      onUpdate: (old, p) => {
        const key = this.ownerKey(p);
        if (key && p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(key, p.metadata.uid);
        this.enqueueFor(old);
        this.enqueueFor(p);
      },
      onDelete: (p) => {
        const key = this.ownerKey(p);
        if (key) this.expectations.deletionObserved(key, p.metadata.uid);
        this.enqueueFor(p);
      },
    });
    const all = (): void => { for (const ds of this.sets.list()) this.queue.add(`${ds.metadata.namespace}/${ds.metadata.name}`); };
    this.handle(nodeInf, { onAdd: all, onDelete: all, onUpdate: (old, n) => { if (nodeShape(old) !== nodeShape(n)) all(); } });
    this.handle(revInf, { onAdd: (r) => this.enqueueFor(r), onDelete: (r) => this.enqueueFor(r) });
  }

  private ownerKey(o: KObject): string | undefined {
    const ref = controllerRefOf(o);
    return ref?.kind === 'DaemonSet' && String(ref.apiVersion).startsWith('apps/') ? `${o.metadata.namespace}/${ref.name}` : undefined;
  }

  private enqueueFor(o: KObject): void {
    const key = this.ownerKey(o);
    if (key) return this.queue.add(key);
    if (controllerRefOf(o) || o.metadata?.deletionTimestamp) return;
    for (const ds of this.sets.list(o.metadata.namespace)) {
      if (matches(selectorOf(ds), o.metadata.labels)) this.queue.add(`${ds.metadata.namespace}/${ds.metadata.name}`);
    }
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/');
    const ds = this.sets.get(ns, name);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const nodes = this.nodes.list();
    const { cur, old, collisionCount } = await this.constructHistory(ds);
    const hash: string = cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? cur.metadata.name.slice(ds.metadata.name.length + 1);
    await this.claimPods(ds);
    if (this.expectations.satisfied(key)) {
      await this.manage(key, ds, nodes, hash);
      if (this.expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') await this.rollingUpdate(key, ds, nodes, hash);
      await this.cleanupHistory(ds, old);
    }
    const status = this.status(ds, nodes, hash, collisionCount);
    await this.writeStatus(ds, status);
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    if (minReady > 0 && status.numberReady !== status.numberAvailable) {
      const waits = this.ownedPods(ds).map((p) => msUntilAvailable(p, minReady)).filter((ms) => ms > 0);
      return { requeueAfter: Math.min(minReady * 1000, ...waits) + 50 };
    }
  }

  private ownedPods(ds: KObject): KObject[] {
    return this.pods.list(ds.metadata.namespace).filter((p) => isControlledBy(p, ds));
  }

  /** Adopts orphan pods that match the selector (upstream ClaimPods). */
  private async claimPods(ds: KObject): Promise<void> {
    const sel = selectorOf(ds);
    for (const pod of this.pods.list(ds.metadata.namespace)) {
      if (controllerRefOf(pod) || pod.metadata.deletionTimestamp || !matches(sel, pod.metadata.labels)) continue;
      await this.ctx.client.patch(PODS, pod.metadata.namespace, pod.metadata.name, 'strategic', {
        metadata: { ownerReferences: [controllerRef(ds, 'DaemonSet')], uid: pod.metadata.uid },
      });
    }
  }

  /** Pods by the node they are on or pinned to (terminal pods being deleted left out). */
  private nodeToPods(ds: KObject): Map<string, KObject[]> {
    const out = new Map<string, KObject[]>();
    for (const pod of this.ownedPods(ds)) {
      if (isFinished(pod) && isTerminating(pod)) continue;
      const node = targetNodeName(pod);
      if (!node) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(pod);
    }
    for (const list of out.values()) list.sort(byAge);
    return out;
  }

  /** upstream constructHistory: the revision of the current template (created or renumbered) and the others. */
  private async constructHistory(ds: KObject): Promise<{ cur: KObject; old: KObject[]; collisionCount: number }> {
    const sel = selectorOf(ds);
    const revs: KObject[] = [];
    for (const r of this.revisions.list(ds.metadata.namespace)) {
      if (isControlledBy(r, ds)) revs.push(r);
      else if (!controllerRefOf(r) && !r.metadata.deletionTimestamp && matches(sel, r.metadata.labels)) {
        revs.push(await this.ctx.client.patch(CONTROLLER_REVISIONS, r.metadata.namespace, r.metadata.name, 'strategic', {
          metadata: { ownerReferences: [controllerRef(ds, 'DaemonSet')], uid: r.metadata.uid },
        }));
      }
    }
    const data = templatePatch(ds);
    const current = sortRevisions(revs.filter((r) => revisionData(r) === data));
    const old = revs.filter((r) => revisionData(r) !== data);
    const next = old.reduce((m, r) => Math.max(m, Number(r.revision ?? 0)), 0) + 1;
    let collisionCount = Number(ds.status?.collisionCount ?? 0);
    let cur: KObject;
    if (!current.length) {
      const rev = newRevision(ds, {
        kind: 'DaemonSet', revision: next, collisionCount, annotations: ds.metadata.annotations, hashLabel: CONTROLLER_REVISION_HASH_LABEL,
      });
      ({ revision: cur, collisionCount } = await createRevision(this.ctx.client, rev, collisionCount));
    } else {
      // Duplicates (same template) keep the newest; the others go (upstream dedupCurHistories).
      cur = current[current.length - 1];
      for (const dup of current.slice(0, -1)) {
        try {
          await this.ctx.client.delete(CONTROLLER_REVISIONS, dup.metadata.namespace, dup.metadata.name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      if (Number(cur.revision ?? 0) < next) cur = await updateRevisionNumber(this.ctx.client, cur, next);
    }
    return { cur, old, collisionCount };
  }

  private async manage(key: string, ds: KObject, nodes: KObject[], hash: string): Promise<void> {
    const nodeToPods = this.nodeToPods(ds);
    // upstream AllowsSurge: maxSurge scaled against one node is positive.
    const surge = ds.spec?.updateStrategy?.type === 'RollingUpdate' && rollingLimits(ds, 1).maxSurge > 0;
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const create: string[] = [];
    const remove: KObject[] = [];
    const names = new Set<string>();
    for (const node of nodes) {
      names.add(node.metadata.name);
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      const pods = nodeToPods.get(node.metadata.name) ?? [];
      if (shouldRun && !pods.length) create.push(node.metadata.name);
      else if (shouldContinueRunning) {
        const running: KObject[] = [];
        for (const p of pods) {
          if (isTerminating(p)) continue;
          if (isFinished(p)) remove.push(p);
          else running.push(p);
        }
        if (running.length <= 1) continue;
        if (!surge) {
          remove.push(...running.slice(1));
          continue;
        }
        const updated = running.filter((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash);
        const outdated = running.filter((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== hash);
        const keepNew = updated[0];
        const keepOld = outdated[0];
        remove.push(...updated.slice(1), ...outdated.slice(1));
        if (keepNew && keepOld && isPodAvailable(keepNew, minReady)) remove.push(keepOld);
      } else {
        remove.push(...pods.filter((p) => !isTerminating(p)));
      }
    }
    for (const [node, pods] of nodeToPods) if (!names.has(node)) remove.push(...pods.filter((p) => !isTerminating(p)));
    await this.syncNodes(key, ds, remove, create, hash);
  }

  private async syncNodes(key: string, ds: KObject, remove: KObject[], create: string[], hash: string): Promise<void> {
    if (!remove.length && !create.length) return;
    this.expectations.expect(key, create.length, remove.map((p) => p.metadata.uid));
    const errors: unknown[] = [];
    await Promise.all([
      ...create.map(async (node) => {
        try {
          await this.ctx.client.create(PODS, ds.metadata.namespace, newDaemonPod(ds, node, hash));
        } catch (err) {
          this.expectations.creationObserved(key);
          errors.push(err);
        }
      }),
      ...remove.map(async (p) => {
        try {
          await this.ctx.client.delete(PODS, p.metadata.namespace, p.metadata.name, { preconditions: { uid: p.metadata.uid } });
        } catch (err) {
          this.expectations.deletionObserved(key, p.metadata.uid);
          if (!isNotFound(err) && !isConflict(err)) errors.push(err);
        }
      }),
    ]);
    if (errors.length) throw new Error(`syncing daemon set ${key}: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
  }

  /** upstream rollingUpdate: replace outdated pods within maxUnavailable, or surge new ones within maxSurge. */
  private async rollingUpdate(key: string, ds: KObject, nodes: KObject[], hash: string): Promise<void> {
    const nodeToPods = this.nodeToPods(ds);
    let desired = 0;
    for (const node of nodes) {
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      if (!shouldRun) continue;
      desired++;
      if (!nodeToPods.has(node.metadata.name)) nodeToPods.set(node.metadata.name, []);
    }
    const { maxSurge, maxUnavailable } = rollingLimits(ds, desired);
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const available = (p: KObject): boolean => isPodAvailable(p, minReady);
    const split = (pods: KObject[]): { newPod?: KObject; oldPod?: KObject; ok: boolean } => {
      let newPod: KObject | undefined;
      let oldPod: KObject | undefined;
      for (const p of pods) {
        if (isTerminating(p)) continue;
        if (p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) {
          if (newPod) return { ok: false };
          newPod = p;
        } else {
          if (oldPod) return { ok: false };
          oldPod = p;
        }
      }
      return { newPod, oldPod, ok: true };
    };
    const entries = [...nodeToPods].sort(([a], [b]) => a.localeCompare(b));
    if (maxSurge === 0) {
      let unavailable = 0;
      const allowed: KObject[] = [];
      const candidates: KObject[] = [];
      for (const [, pods] of entries) {
        const { newPod, oldPod, ok } = split(pods);
        if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) unavailable++;
        else if (newPod) { if (!available(newPod)) unavailable++; }
        else if (!available(oldPod!)) allowed.push(oldPod!);
        else if (unavailable < maxUnavailable) candidates.push(oldPod!);
      }
      const remaining = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
      await this.syncNodes(key, ds, [...allowed, ...candidates.slice(0, remaining)], [], hash);
      return;
    }
    let surged = 0;
    const allowedNodes: string[] = [];
    const candidateNodes: string[] = [];
    const removeOld: KObject[] = [];
    for (const [node, pods] of entries) {
      const { newPod, oldPod, ok } = split(pods);
      if (!ok) { surged++; continue; }
      if (!oldPod) continue;
      if (!newPod) {
        if (!available(oldPod)) allowedNodes.push(node);
        else if (surged < maxSurge) candidateNodes.push(node);
        continue;
      }
      if (!available(newPod)) { surged++; continue; }
      removeOld.push(oldPod);
    }
    const remaining = Math.min(Math.max(0, maxSurge - surged), candidateNodes.length);
    await this.syncNodes(key, ds, removeOld, [...allowedNodes, ...candidateNodes.slice(0, remaining)], hash);
  }

  /** Deletes the oldest revisions beyond revisionHistoryLimit that no pod runs (upstream cleanupHistory). */
  private async cleanupHistory(ds: KObject, old: KObject[]): Promise<void> {
    let toKill = old.length - Number(ds.spec?.revisionHistoryLimit ?? 10);
    if (toKill <= 0) return;
    const live = new Set<string>();
    for (const p of this.ownedPods(ds)) if (p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]) live.add(p.metadata.labels[CONTROLLER_REVISION_HASH_LABEL]);
    for (const r of sortRevisions(old)) {
      if (toKill <= 0) break;
      if (live.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL])) continue;
      try {
        await this.ctx.client.delete(CONTROLLER_REVISIONS, r.metadata.namespace, r.metadata.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      toKill--;
    }
  }

  private status(ds: KObject, nodes: KObject[], hash: string, collisionCount: number): KObject {
    const nodeToPods = this.nodeToPods(ds);
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const s = {
      currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0,
      numberAvailable: 0, updatedNumberScheduled: 0,
    };
    for (const node of nodes) {
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      const pods = nodeToPods.get(node.metadata.name) ?? [];
      if (shouldRun) {
        s.desiredNumberScheduled++;
        if (!pods.length) continue;
        s.currentNumberScheduled++;
        const pod = pods[0];
        if (isPodReady(pod)) {
          s.numberReady++;
          if (isPodAvailable(pod, minReady)) s.numberAvailable++;
        }
        if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) s.updatedNumberScheduled++;
      } else if (pods.length) s.numberMisscheduled++;
    }
    const out: KObject = { ...s, observedGeneration: ds.metadata.generation };
    const unavailable = s.desiredNumberScheduled - s.numberAvailable;
    if (unavailable > 0) out.numberUnavailable = unavailable;
    if (collisionCount > 0) out.collisionCount = collisionCount;
    // Go omits zero counts except the four that are always written.
    for (const k of ['numberAvailable', 'updatedNumberScheduled'] as const) if (!out[k]) delete out[k];
    return out;
  }

  private async writeStatus(ds: KObject, s: KObject): Promise<void> {
    const old: KObject = ds.status ?? {};
    const next: KObject = { ...old, ...s };
    for (const k of ['numberUnavailable', 'numberAvailable', 'updatedNumberScheduled', 'collisionCount']) if (s[k] === undefined) delete next[k];
    const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
    if ([...keys].every((k) => JSON.stringify(old[k]) === JSON.stringify(next[k]))) return;
    try {
      await this.ctx.client.updateStatus(DAEMONSETS, { ...ds, status: next });
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }
}

function selectorOf(ds: KObject): Selector | null {
  try {
    return selectorFromObject(ds.spec?.selector);
  } catch {
    return null;
  }
}
