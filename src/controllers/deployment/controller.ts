/**
 * The DeploymentController: event handlers (deployments, their ReplicaSets, and pod deletions
 * for Recreate), adoption and release of ReplicaSets by selector, finding or creating the new
 * ReplicaSet (`<deployment>-<pod-template-hash>`, collisionCount on a name clash), scaling a
 * ReplicaSet with its replica annotations and a ScalingReplicaSet event, and status writes.
 * The rollout logic itself is in rollout.ts.
 */
import { findResource } from '../../api/resources.js';
import { Lister } from '../../client/lister.js';
import { ApiError, isNotFound, type KObject } from '../../client/rest-client.js';
import { OWNER_UID_INDEX, ownerUidIndexFunc, splitKey } from '../../client/store.js';
import { matches, selectorFromObject } from '../../machinery/labels.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { BaseController, type ControllerContext, type ReconcileResult } from '../framework.js';
import { claimObjects, controllerRefOf, newControllerRef } from '../owner-claim.js';
import { isPodActive } from '../pod-readiness.js';
import { computeHash } from './hash.js';
import { syncDeployment, type DeploymentOps } from './rollout.js';
import {
  DEFAULT_UNIQUE_LABEL, REVISION_ANNOTATION, Reason, equalIgnoreHash, findNewReplicaSet, findOldReplicaSets,
  getCondition, hasProgressDeadline, maxRevision, maxSurge, newCondition, newRSNewReplicas, replicasAnnotationsNeedUpdate,
  replicasOf, setCondition, setNewReplicaSetAnnotations, setReplicasAnnotations,
} from './util.js';

export const deployments = findResource('apps', 'v1', 'deployments')!;
export const replicaSets = findResource('apps', 'v1', 'replicasets')!;
const pods = findResource('', 'v1', 'pods')!;
const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };

const keyOf = (o: KObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class DeploymentController extends BaseController implements DeploymentOps {
  readonly recorder: EventRecorder;
  private readonly deployments: Lister;
  private readonly rss: Lister;
  private readonly pods: Lister;

  constructor(ctx: ControllerContext) {
    super('deployment', ctx, { workers: 5 });
    const dInf = ctx.informers.informerFor(deployments);
    const rsInf = ctx.informers.informerFor(replicaSets);
    rsInf.addIndexers({ [OWNER_UID_INDEX]: ownerUidIndexFunc });
    const podInf = ctx.informers.informerFor(pods);
    podInf.addIndexers({ [OWNER_UID_INDEX]: ownerUidIndexFunc });
    this.deployments = new Lister(dInf.store);
    this.rss = new Lister(rsInf.store);
    this.pods = new Lister(podInf.store);
    this.recorder = new EventRecorder(ctx.client, { component: 'deployment-controller', log: ctx.log });
    this.watch(dInf);
    this.handle(rsInf, {
      onAdd: (rs) => this.rsChanged(undefined, rs),
      onUpdate: (old, rs) => this.rsChanged(old, rs),
      onDelete: (rs) => {
        const d = this.resolve(rs.metadata.namespace, controllerRefOf(rs));
        if (d) this.queue.add(keyOf(d));
      },
    });
    this.handle(podInf, {
      onDelete: (pod) => this.podDeleted(pod),
      onUpdate: (_old, pod) => {
        if (!isPodActive(pod)) this.podDeleted(pod);
      },
    });
  }

  private resolve(namespace: string, ref: KObject | undefined): KObject | undefined {
    if (!ref || ref.kind !== 'Deployment' || ref.apiVersion?.split('/')[0] !== 'apps') return undefined;
    const d = this.deployments.get(namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private deploymentsMatching(rs: KObject): KObject[] {
    return this.deployments.list(rs.metadata.namespace).filter((d) => {
      const sel = selectorFromObject(d.spec?.selector);
      return sel !== null && sel.length > 0 && matches(sel, rs.metadata.labels);
    });
  }

  private rsChanged(old: KObject | undefined, rs: KObject): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const curRef = controllerRefOf(rs);
    const oldRef = old ? controllerRefOf(old) : undefined;
    if (old && oldRef && oldRef.uid !== curRef?.uid) {
      const d = this.resolve(old.metadata.namespace, oldRef);
      if (d) this.queue.add(keyOf(d));
    }
    if (curRef) {
      const d = this.resolve(rs.metadata.namespace, curRef);
      if (d) this.queue.add(keyOf(d));
      return;
    }
    if (rs.metadata.deletionTimestamp) return;
    const labelsChanged = !old || JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(rs.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const d of this.deploymentsMatching(rs)) this.queue.add(keyOf(d));
  }

  /** Recreate waits for old pods to go: their deletion (or end) re-syncs the deployment. */
  private podDeleted(pod: KObject): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rss.get(pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolve(rs.metadata.namespace, controllerRefOf(rs));
    if (d && d.spec?.strategy?.type === 'Recreate') this.queue.add(keyOf(d));
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = selectorFromObject(d.spec?.selector);
    if (!sel || sel.length === 0) {
      void this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      }
      return;
    }
    const rsList = await claimObjects(this.rss.list(namespace), {
      client: this.ctx.client, resource: replicaSets, owner: d, ownerKind: DEPLOYMENT_KIND, ownerResource: deployments,
      matches: (rs) => matches(sel, rs.metadata.labels),
    });
    const uids = new Set(rsList.map((rs) => rs.metadata.uid));
    const podMap = new Map<string, KObject[]>();
    for (const p of this.pods.list(namespace, sel)) {
      const ref = controllerRefOf(p);
      if (!ref || !uids.has(ref.uid)) continue;
      const l = podMap.get(ref.uid) ?? [];
      l.push(p);
      podMap.set(ref.uid, l);
    }
    return syncDeployment(this, d, rsList, podMap);
  }

  // ---- DeploymentOps ----

  async getAllReplicaSetsAndSyncRevision(d: KObject, rsList: KObject[], create: boolean): Promise<[KObject | undefined, KObject[]]> {
    const oldRSs = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs, create);
    return [newRS, oldRSs];
  }

  private async getNewReplicaSet(d: KObject, rsList: KObject[], oldRSs: KObject[], create: boolean): Promise<KObject | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return this.ctx.client.update(replicaSets, copy);
      }
      let needsUpdate = await this.setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION]);
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'True', Reason.FoundNewRS, `Found new replica set "${copy.metadata.name}"`));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(d, d.status ?? {});
      return copy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [DEFAULT_UNIQUE_LABEL]: hash };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [DEFAULT_UNIQUE_LABEL]: hash };
    const newRS: KObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)], labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec.replicas = replicas;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);

    let created: KObject;
    let alreadyExists = false;
    try {
      created = await this.ctx.client.create(replicaSets, d.metadata.namespace, newRS);
    } catch (err) {
      if (err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists') {
        alreadyExists = true;
        const rs: KObject = this.rss.get(d.metadata.namespace, newRS.metadata.name)
          ?? await this.ctx.client.get(replicaSets, d.metadata.namespace, newRS.metadata.name);
        if (controllerRefOf(rs)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec?.template)) {
          created = rs;
        } else {
          // A different template hashed to the same name: bump collisionCount and try again.
          d.status ??= {};
          d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
          await this.writeStatus(d, d.status).catch(() => undefined);
          throw err;
        }
      } else {
        const causes = err instanceof ApiError ? (err.status?.details?.causes as KObject[] | undefined) : undefined;
        if (causes?.some((c) => c.reason === 'NamespaceTerminating')) throw err;
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${errText(err)}`;
        if (hasProgressDeadline(d)) {
          d.status ??= {};
          setCondition(d.status, newCondition('Progressing', 'False', Reason.FailedRSCreate, msg));
          await this.writeStatus(d, d.status).catch(() => undefined);
        }
        void this.recorder.event(d, 'Warning', Reason.FailedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExists && replicas > 0) {
      void this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    }
    let needsUpdate = await this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', Reason.NewRSCreated, `Created new replica set "${created.metadata.name}"`));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(d, d.status ?? {});
    return created;
  }

  /**
   * Records the revision on the deployment. Upstream does it through the status write (its
   * status strategy keeps annotation changes); here status writes change status only, so the
   * annotation goes in its own metadata patch. Returns whether the status should be written.
   */
  private async setDeploymentRevision(d: KObject, revision: string | undefined): Promise<boolean> {
    if (revision === undefined || d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return false;
    const patched = await this.ctx.client.patch(deployments, d.metadata.namespace, d.metadata.name, 'merge', {
      metadata: { annotations: { [REVISION_ANNOTATION]: revision }, resourceVersion: d.metadata.resourceVersion },
    });
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
    d.metadata.resourceVersion = patched.metadata.resourceVersion;
    return true;
  }

  async scaleReplicaSetAndRecordEvent(rs: KObject, newScale: number, d: KObject): Promise<[boolean, KObject]> {
    if (replicasOf(rs) === newScale) return [false, rs];
    return this.scaleReplicaSet(rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  async scaleReplicaSet(rs: KObject, newScale: number, d: KObject, op: string): Promise<[boolean, KObject]> {
    const sizeChanged = replicasOf(rs) !== newScale;
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
    const old = replicasOf(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.ctx.client.update(replicaSets, copy);
    if (sizeChanged) {
      void this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `${op === 'up' ? 'Scaled up' : 'Scaled down'} replica set ${updated.metadata.name} from ${old} to ${newScale}`);
    }
    return [sizeChanged, updated];
  }

  async deleteReplicaSet(rs: KObject): Promise<void> {
    try {
      await this.ctx.client.delete(replicaSets, rs.metadata.namespace, rs.metadata.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Writes status (keeping the copy's resourceVersion current for later writes in this sync). */
  async writeStatus(d: KObject, status: KObject): Promise<void> {
    const updated = await this.ctx.client.updateStatus(deployments, { ...d, status });
    d.status = updated.status;
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }
}
