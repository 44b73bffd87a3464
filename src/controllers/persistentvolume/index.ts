/**
 * The PersistentVolume controller (upstream's persistentvolume-binder): binds claims to volumes
 * and walks volumes through their phases.
 *
 * Claims: an unbound claim is matched with the smallest Available volume that satisfies it (same
 * storageClassName, "" included; same volumeMode; access modes a superset; capacity at least the
 * request; the claim's label selector), or with the volume it names (spec.volumeName), or with a
 * volume pre-bound to it (spec.claimRef). Binding writes the volume's claimRef (+
 * `pv.kubernetes.io/bound-by-controller`), the volume's phase Bound, the claim's volumeName (+
 * `pv.kubernetes.io/bind-completed`, `pv.kubernetes.io/bound-by-controller`) and the claim's
 * status (phase Bound, capacity and access modes of the volume). Without a volume: a claim of a
 * class with a provisioner gets `volume.kubernetes.io/storage-provisioner` (and the beta
 * annotation) and the ExternalProvisioning event — for a WaitForFirstConsumer class only once
 * the scheduler chose a node (`volume.kubernetes.io/selected-node`; before that the
 * WaitForFirstConsumer event); a claim without a class gets FailedBinding.
 *
 * Volumes: no claimRef (or one without uid) → Available; a claimRef whose claim is gone →
 * Released, then the reclaim policy: Retain keeps it Released; Delete of a provisioned volume
 * (`pv.kubernetes.io/provisioned-by`) is left to its provisioner, which deletes it; Delete or
 * Recycle of another volume fails (no in-tree plugin here) → Failed with an event.
 */
import { findResource } from '../../api/resources.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { isNotFound, type KObject } from '../../client/rest-client.js';
import { Lister } from '../../client/lister.js';
import { matches, selectorFromObject } from '../../machinery/labels.js';
import { nodeSelectorMatches } from '../../machinery/node-selection.js';
import { compareQuantities, tryParseQuantity } from '../../machinery/quantity.js';
import { BaseController, type ControllerContext, type ReconcileResult } from '../framework.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
const RESYNC_MS = 15_000;

/** The claim's storage class name ("" when none), as upstream's GetPersistentVolumeClaimClass. */
export function claimClass(pvc: KObject): string {
  return pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}
export function volumeClass(pv: KObject): string {
  return pv.spec?.storageClassName ?? pv.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** Why the volume cannot serve the claim (undefined when it can), ignoring claimRef and phase. */
export function volumeMismatch(pv: KObject, pvc: KObject): string | undefined {
  const want = tryParseQuantity(pvc.spec?.resources?.requests?.storage);
  const have = tryParseQuantity(pv.spec?.capacity?.storage);
  if (want && (!have || compareQuantities(have, want) < 0)) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!(pvc.spec?.accessModes ?? []).every((m: string) => modes.includes(m))) return 'incompatible accessMode';
  return undefined;
}

const claimRefMatches = (ref: KObject | undefined, pvc: KObject): boolean =>
  !!ref && ref.name === pvc.metadata?.name && (ref.namespace ?? '') === pvc.metadata?.namespace && (!ref.uid || ref.uid === pvc.metadata?.uid);

export class PersistentVolumeController extends BaseController {
  private readonly pvsR = findResource('', 'v1', 'persistentvolumes')!;
  private readonly pvcsR = findResource('', 'v1', 'persistentvolumeclaims')!;
  private readonly classesR = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
  private readonly nodesR = findResource('', 'v1', 'nodes')!;
  private readonly pvs: Lister;
  private readonly pvcs: Lister;
  private readonly classes: Lister;
  private readonly nodes: Lister;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('persistentvolume-binder', ctx, { workers: 1 });
    const pvInf = ctx.informers.informerFor(this.pvsR);
    const pvcInf = ctx.informers.informerFor(this.pvcsR);
    const scInf = ctx.informers.informerFor(this.classesR);
    const nodeInf = ctx.informers.informerFor(this.nodesR);
    this.pvs = new Lister(pvInf.store);
    this.pvcs = new Lister(pvcInf.store);
    this.classes = new Lister(scInf.store);
    this.nodes = new Lister(nodeInf.store);
    this.recorder = new EventRecorder(ctx.client, { component: 'persistentvolume-controller', log: ctx.log });
    this.watch(pvcInf, (c) => {
      const keys = [`pvc:${c.metadata?.namespace}/${c.metadata?.name}`];
      if (c.spec?.volumeName) keys.push(`pv:${c.spec.volumeName}`);
      return keys;
    });
    this.watch(pvInf, (pv) => {
      const keys = [`pv:${pv.metadata?.name}`];
      const ref = pv.spec?.claimRef;
      if (ref?.name) keys.push(`pvc:${ref.namespace}/${ref.name}`);
      else for (const c of this.pvcs.list()) if (!c.spec?.volumeName) keys.push(`pvc:${c.metadata?.namespace}/${c.metadata?.name}`);
      return keys;
    });
    this.handle(scInf, {
      onAdd: () => this.requeuePending(),
      onUpdate: () => this.requeuePending(),
    });
  }

  private requeuePending(): void {
    for (const c of this.pvcs.list()) if (c.status?.phase !== 'Bound') this.queue.add(`pvc:${c.metadata?.namespace}/${c.metadata?.name}`);
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith('pv:')) return this.syncVolume(key.slice(3));
    const [ns, name] = key.slice(4).split('/') as [string, string];
    return this.syncClaim(ns, name);
  }

  // ---- claims ----

  private async syncClaim(ns: string, name: string): Promise<ReconcileResult> {
    const pvc = this.pvcs.get(ns, name);
    if (!pvc || pvc.metadata?.deletionTimestamp && !pvc.spec?.volumeName) return;
    if (pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] !== 'yes') {
      await this.syncUnboundClaim(pvc);
      // Look again later, as upstream's periodic resync does (a waiting claim's event repeats).
      return { requeueAfter: RESYNC_MS };
    }
    return this.syncBoundClaim(pvc);
  }

  private async syncUnboundClaim(pvc: KObject): Promise<ReconcileResult> {
    const volumeName: string | undefined = pvc.spec?.volumeName;
    if (!volumeName) {
      const pv = this.findMatchingVolume(pvc);
      if (pv) return this.bind(pv, pvc);
      await this.setClaimPhase(pvc, 'Pending');
      return this.noVolume(pvc);
    }
    const pv = this.pvs.get(undefined, volumeName);
    if (!pv) {
      await this.setClaimPhase(pvc, 'Pending');
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || claimRefMatches(ref, pvc)) {
      const why = volumeMismatch(pv, pvc);
      if (why && !ref) {
        await this.setClaimPhase(pvc, 'Pending');
        void this.recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
        return;
      }
      return this.bind(pv, pvc);
    }
    await this.setClaimPhase(pvc, 'Pending');
    void this.recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
  }

  private async syncBoundClaim(pvc: KObject): Promise<ReconcileResult> {
    const volumeName: string | undefined = pvc.spec?.volumeName;
    const pv = volumeName ? this.pvs.get(undefined, volumeName) : undefined;
    if (!pv) {
      if (pvc.status?.phase !== 'Lost') {
        await this.setClaimPhase(pvc, 'Lost');
        void this.recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || claimRefMatches(ref, pvc)) return this.bind(pv, pvc);
    if (pvc.status?.phase !== 'Lost') {
      await this.setClaimPhase(pvc, 'Lost');
      void this.recorder.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    }
  }

  private storageClass(pvc: KObject): KObject | undefined {
    const cls = claimClass(pvc);
    return cls ? this.classes.get(undefined, cls) : undefined;
  }

  private selectedNode(pvc: KObject): KObject | undefined {
    const n = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
    return n ? this.nodes.get(undefined, n) ?? { metadata: { name: n, labels: { 'kubernetes.io/hostname': n } } } : undefined;
  }

  /**
   * The smallest Available volume for the claim (a volume pre-bound to it first), as upstream's
   * FindMatchingVolume; for a WaitForFirstConsumer claim only a pre-bound volume.
   */
  private findMatchingVolume(pvc: KObject): KObject | undefined {
    const sc = this.storageClass(pvc);
    const delayed = sc?.volumeBindingMode === 'WaitForFirstConsumer';
    const node = delayed ? this.selectedNode(pvc) : undefined;
    let selector: ReturnType<typeof selectorFromObject> | undefined;
    try {
      selector = pvc.spec?.selector ? selectorFromObject(pvc.spec.selector) : undefined;
    } catch {
      return undefined;
    }
    let best: KObject | undefined;
    for (const pv of this.pvs.list()) {
      if (pv.metadata?.deletionTimestamp) continue;
      if (volumeMismatch(pv, pvc)) continue;
      const ref = pv.spec?.claimRef;
      const preBound = claimRefMatches(ref, pvc);
      if (ref && !preBound) continue;
      if (preBound) {
        // Upstream checks a pre-bound volume's node affinity only once a node was selected.
        const req = pv.spec?.nodeAffinity?.required;
        if (node && req && !nodeSelectorMatches(req, node as never)) continue;
        return pv;
      }
      // With delayed binding the scheduler chooses the volume (it pre-binds it to the claim).
      if (delayed) continue;
      if (pv.status?.phase && pv.status.phase !== 'Available') continue;
      if (selector !== undefined && !matches(selector, pv.metadata?.labels)) continue;
      if (!best || compareQuantities(tryParseQuantity(pv.spec?.capacity?.storage)!, tryParseQuantity(best.spec?.capacity?.storage)!) < 0) best = pv;
    }
    return best;
  }

  /** A claim with no volume to bind: provisioning or an event saying why it waits. */
  private async noVolume(pvc: KObject): Promise<ReconcileResult> {
    const cls = claimClass(pvc);
    if (!cls) {
      void this.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    const sc = this.classes.get(undefined, cls);
    if (!sc) {
      void this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
      return;
    }
    const delayed = sc.volumeBindingMode === 'WaitForFirstConsumer';
    if (delayed && !pvc.metadata?.annotations?.[ANN_SELECTED_NODE]) {
      void this.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    const provisioner: string = sc.provisioner ?? '';
    if (!provisioner || provisioner === NO_PROVISIONER) {
      if (!delayed) void this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
      return;
    }
    const ann = pvc.metadata?.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      await this.ctx.client.update(this.pvcsR, {
        ...pvc,
        metadata: { ...pvc.metadata, annotations: { ...ann, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner } },
      });
    }
    void this.recorder.event(pvc, 'Normal', 'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }

  /** Binds volume and claim, each step only when not yet done (upstream's bind). */
  private async bind(pv0: KObject, pvc0: KObject): Promise<ReconcileResult> {
    let pv = pv0;
    let pvc = pvc0;
    const c = this.ctx.client;
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid !== pvc.metadata.uid || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) {
      const ann = { ...(pv.metadata.annotations ?? {}) };
      if (!ref) ann[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pv = await c.update(this.pvsR, {
        ...pv,
        metadata: { ...pv.metadata, annotations: ann },
        spec: {
          ...pv.spec,
          claimRef: { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion },
        },
      });
    }
    if (pv.status?.phase !== 'Bound') pv = await c.updateStatus(this.pvsR, { ...pv, status: { ...(pv.status ?? {}), phase: 'Bound', message: undefined, reason: undefined } });
    const pann = pvc.metadata.annotations ?? {};
    if (pvc.spec?.volumeName !== pv.metadata.name || pann[ANN_BIND_COMPLETED] !== 'yes') {
      const ann: Record<string, string> = { ...pann, [ANN_BIND_COMPLETED]: 'yes' };
      if (!pvc.spec?.volumeName) ann[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pvc = await c.update(this.pvcsR, { ...pvc, metadata: { ...pvc.metadata, annotations: ann }, spec: { ...pvc.spec, volumeName: pv.metadata.name } });
    }
    const st = pvc.status ?? {};
    const capacity = pv.spec?.capacity ?? {};
    const modes = pv.spec?.accessModes ?? [];
    if (st.phase !== 'Bound' || JSON.stringify(st.capacity ?? {}) !== JSON.stringify(capacity) || JSON.stringify(st.accessModes ?? []) !== JSON.stringify(modes)) {
      await c.updateStatus(this.pvcsR, { ...pvc, status: { ...st, phase: 'Bound', capacity, accessModes: modes } });
    }
  }

  private async setClaimPhase(pvc: KObject, phase: string): Promise<void> {
    if (pvc.status?.phase === phase) return;
    try {
      await this.ctx.client.updateStatus(this.pvcsR, { ...pvc, status: { ...(pvc.status ?? {}), phase } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- volumes ----

  private async syncVolume(name: string): Promise<ReconcileResult> {
    const pv = this.pvs.get(undefined, name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref || !ref.uid) return this.setVolumePhase(pv, 'Available');
    let pvc = this.pvcs.get(ref.namespace, ref.name);
    if (!pvc || pvc.metadata?.uid !== ref.uid) {
      // Make sure the claim is really gone, not just missing from the cache.
      try {
        pvc = await this.ctx.client.get(this.pvcsR, ref.namespace, ref.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        pvc = undefined;
      }
    }
    if (pvc && pvc.metadata?.uid === ref.uid) {
      if (pvc.spec?.volumeName === name) return this.setVolumePhase(pv, 'Bound');
      if (!pvc.spec?.volumeName) {
        this.queue.add(`pvc:${ref.namespace}/${ref.name}`);
        return;
      }
      // The claim is bound to another volume: release ours if the controller bound it.
      if (pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) return this.unbind(pv);
      return this.setVolumePhase(pv, 'Available');
    }
    // The claim is gone.
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') {
      await this.setVolumePhase(pv, 'Released');
      return;
    }
    if (pv.status?.phase === 'Failed') return;
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Delete' && pv.metadata?.annotations?.[ANN_PROVISIONED_BY]) return; // its provisioner deletes it
    if (policy === 'Delete') {
      const msg = `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`;
      void this.recorder.event(pv, 'Warning', 'VolumeFailedDelete', msg);
      await this.setVolumePhase(pv, 'Failed', msg);
      return;
    }
    const msg = 'No recycler plugin found for the volume!';
    void this.recorder.event(pv, 'Warning', 'VolumeFailedRecycle', msg);
    await this.setVolumePhase(pv, 'Failed', msg);
  }

  private async unbind(pv: KObject): Promise<void> {
    const ann = { ...(pv.metadata.annotations ?? {}) };
    delete ann[ANN_BOUND_BY_CONTROLLER];
    const { claimRef: _drop, ...spec } = pv.spec ?? {};
    const updated = await this.ctx.client.update(this.pvsR, { ...pv, metadata: { ...pv.metadata, annotations: ann }, spec });
    await this.setVolumePhase(updated, 'Available');
  }

  private async setVolumePhase(pv: KObject, phase: string, message?: string): Promise<void> {
    if (pv.status?.phase === phase && pv.status?.message === message) return;
    const status: KObject = { ...(pv.status ?? {}), phase };
    if (message) status.message = message;
    else delete status.message;
    if (phase === 'Released' || phase === 'Failed' || phase === 'Bound' || phase === 'Available') status.lastPhaseTransitionTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      await this.ctx.client.updateStatus(this.pvsR, { ...pv, status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
