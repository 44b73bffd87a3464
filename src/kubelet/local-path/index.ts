/**
 * The `k8ts.io/local-path` dynamic provisioner: a directory per volume on the node the scheduler
 * chose, served as a hostPath PersistentVolume pinned to that node.
 *
 * Claims annotated `volume.kubernetes.io/storage-provisioner: k8ts.io/local-path` (the
 * PersistentVolume controller sets it) with `volume.kubernetes.io/selected-node` naming a node this
 * provisioner serves get `D/storage/pvc-<uid>_<namespace>_<name>` (mode 0777) and a PV
 * `pvc-<uid>`: hostPath (DirectoryOrCreate), node affinity kubernetes.io/hostname=<node>, claimRef
 * to the claim, the class's reclaim policy (default Delete), annotation
 * `pv.kubernetes.io/provisioned-by: k8ts.io/local-path`; the PV controller then binds them. A
 * Released Delete-policy volume it provisioned for a node it serves: the directory is removed, then
 * the PV is deleted.
 *
 * It also installs the default StorageClass `local-path` (WaitForFirstConsumer, Delete, annotated
 * default) at start when no class of that name exists.
 *
 * Where it runs: inside `k8ts server`, under the controller-manager identity, for the nodes whose
 * agent runs in that process (the containerd node, simulated nodes), since their data dir is the
 * server's. Nodes joined with `k8ts agent` on other machines are not served yet (their claims stay
 * Pending with the ExternalProvisioning event).
 *
 * Settings (ctx.settings['local-path-provisioner']): { dataDir: string, servesNode(name): boolean }
 * — without a dataDir only the StorageClass is installed.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { findResource } from '../../api/resources.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { Lister } from '../../client/lister.js';
import { ApiError, isNotFound, type KObject } from '../../client/rest-client.js';
import { BaseController, type ControllerContext, type ReconcileResult } from '../../controllers/framework.js';

export const LOCAL_PATH_PROVISIONER = 'k8ts.io/local-path';
export const DEFAULT_STORAGE_CLASS = 'local-path';
const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const ANN_NODE = 'k8ts.io/local-path-node';

export interface LocalPathSettings {
  dataDir?: string;
  servesNode?: (name: string) => boolean;
}

/** The default StorageClass object k8ts installs. */
export function defaultStorageClass(): KObject {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: false,
  };
}

export class LocalPathProvisioner extends BaseController {
  private readonly pvsR = findResource('', 'v1', 'persistentvolumes')!;
  private readonly pvcsR = findResource('', 'v1', 'persistentvolumeclaims')!;
  private readonly classesR = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
  private readonly pvs: Lister;
  private readonly pvcs: Lister;
  private readonly classes: Lister;
  private readonly recorder: EventRecorder;
  private readonly settings: LocalPathSettings;

  constructor(ctx: ControllerContext) {
    super('local-path-provisioner', ctx, { workers: 2 });
    this.settings = (ctx.settings?.['local-path-provisioner'] ?? {}) as LocalPathSettings;
    const pvInf = ctx.informers.informerFor(this.pvsR);
    const pvcInf = ctx.informers.informerFor(this.pvcsR);
    const scInf = ctx.informers.informerFor(this.classesR);
    this.pvs = new Lister(pvInf.store);
    this.pvcs = new Lister(pvcInf.store);
    this.classes = new Lister(scInf.store);
    this.recorder = new EventRecorder(ctx.client, { component: LOCAL_PATH_PROVISIONER, log: ctx.log });
    this.watch(pvcInf, (c) => (c.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] === LOCAL_PATH_PROVISIONER ? `pvc:${c.metadata.namespace}/${c.metadata.name}` : undefined));
    this.watch(pvInf, (pv) => (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER ? `pv:${pv.metadata.name}` : undefined));
    this.handle(scInf, {});
    this.queue.add('bootstrap');
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    if (key === 'bootstrap') return this.ensureDefaultClass();
    if (!this.settings.dataDir || !this.settings.servesNode) return;
    if (key.startsWith('pv:')) return this.syncVolume(key.slice(3));
    const [ns, name] = key.slice(4).split('/') as [string, string];
    return this.syncClaim(ns, name);
  }

  private async ensureDefaultClass(): Promise<void> {
    if (this.classes.get(undefined, DEFAULT_STORAGE_CLASS)) return;
    try {
      await this.ctx.client.create(this.classesR, undefined, defaultStorageClass());
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) return;
      throw err;
    }
  }

  private volumeDir(pvc: KObject): string {
    return join(this.settings.dataDir!, 'storage', `pvc-${pvc.metadata.uid}_${pvc.metadata.namespace}_${pvc.metadata.name}`);
  }

  private async syncClaim(ns: string, name: string): Promise<ReconcileResult> {
    const pvc = this.pvcs.get(ns, name);
    if (!pvc || pvc.metadata?.deletionTimestamp || pvc.spec?.volumeName) return;
    const ann = pvc.metadata?.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER && ann[ANN_BETA_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return;
    const node: string | undefined = ann[ANN_SELECTED_NODE];
    if (!node) return;
    // A node not (yet) served here: look again later (its agent may start after the claim is seen).
    if (!this.settings.servesNode!(node)) return { requeueAfter: 10_000 };
    const pvName = `pvc-${pvc.metadata.uid}`;
    if (this.pvs.get(undefined, pvName)) return;
    const cls = pvc.spec?.storageClassName ? this.classes.get(undefined, pvc.spec.storageClassName) : undefined;
    if (!cls || cls.provisioner !== LOCAL_PATH_PROVISIONER) return;
    void this.recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ns}/${name}"`);
    const dir = this.volumeDir(pvc);
    try {
      await mkdir(dir, { recursive: true, mode: 0o777 });
      await chmod(dir, 0o777);
    } catch (err) {
      void this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata.name}": ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    const pv: KObject = {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, [ANN_NODE]: node } },
      spec: {
        capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
        storageClassName: cls.metadata.name,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
        hostPath: { path: dir, type: 'DirectoryOrCreate' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
        ...(cls.mountOptions ? { mountOptions: cls.mountOptions } : {}),
      },
    };
    try {
      await this.ctx.client.create(this.pvsR, undefined, pv);
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) return;
      void this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata.name}": ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    void this.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  private async syncVolume(name: string): Promise<ReconcileResult> {
    const pv = this.pvs.get(undefined, name);
    if (!pv || pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata?.deletionTimestamp) return;
    const node = pv.metadata?.annotations?.[ANN_NODE];
    if (!node || !this.settings.servesNode!(node)) return;
    const root = resolve(this.settings.dataDir!, 'storage') + sep;
    const path: string | undefined = pv.spec?.hostPath?.path;
    if (path && resolve(path).startsWith(root)) await rm(path, { recursive: true, force: true });
    try {
      await this.ctx.client.delete(this.pvsR, undefined, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
