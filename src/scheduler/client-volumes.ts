/**
 * The scheduler's volume binder over src/client/: informers for claims, volumes and storage
 * classes (the VolumeCatalog), merge patches for the writes (the VolumeWriter). Storage changes
 * move unschedulable pods back to the active queue and wake PreBind waits.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { InformerFactory, KObject, KubeClient, ResourceRef, SharedInformer } from '../client/index.js';
import { ANN_BOUND_BY_CONTROLLER, ClaimVolumeBinder, type ClaimVolumeBinderOptions } from './volume-binder.js';

const PVCS: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true, kind: 'PersistentVolumeClaim' };
const PVS: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumes', namespaced: false, kind: 'PersistentVolume' };
const CLASSES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', namespaced: false, kind: 'StorageClass' };
const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };

export interface ClientVolumeBinder {
  binder: ClaimVolumeBinder;
  waitForSync(): Promise<void>;
  /** Calls back on every storage change (for re-queueing pods); returns an unsubscribe function. */
  onChange(handler: (event: string) => void): () => void;
}

export function clientVolumeBinder(client: KubeClient, factory: InformerFactory, opts: ClaimVolumeBinderOptions = {}): ClientVolumeBinder {
  const claims = factory.informerFor(PVCS);
  const volumes = factory.informerFor(PVS);
  const classes = factory.informerFor(CLASSES);
  const nodes = factory.informerFor(NODES);
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const w of [...waiters]) w();
  };
  const binder = new ClaimVolumeBinder({
    claim: (ns, name) => claims.store.get(`${ns}/${name}`) as PersistentVolumeClaim | undefined,
    volume: (name) => volumes.store.get(name) as PersistentVolume | undefined,
    volumes: () => volumes.store.list() as PersistentVolume[],
    storageClass: (name) => classes.store.get(name) as StorageClass | undefined,
  }, {
    async annotateClaim(claim, annotations) {
      await client.patch(PVCS, claim.metadata?.namespace ?? 'default', claim.metadata?.name ?? '', 'merge', {
        metadata: { annotations, resourceVersion: claim.metadata?.resourceVersion },
      });
    },
    async prebindVolume(pv, claim) {
      await client.patch(PVS, undefined, pv.metadata?.name ?? '', 'merge', {
        metadata: { annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' }, resourceVersion: pv.metadata?.resourceVersion },
        spec: {
          claimRef: {
            apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace ?? 'default',
            name: claim.metadata?.name, uid: claim.metadata?.uid, resourceVersion: claim.metadata?.resourceVersion,
          },
        },
      });
    },
    changed(ms) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiters.add(done);
      });
    },
  }, opts);
  binder.nodeLabels = (name) => ((nodes.store.get(name) as KObject | undefined)?.metadata?.labels ?? { 'kubernetes.io/hostname': name });
  return {
    binder,
    async waitForSync() {
      await Promise.all([claims.waitForSync(), volumes.waitForSync(), classes.waitForSync()]);
    },
    onChange(handler) {
      const wire = (inf: SharedInformer<KObject>, kind: string) => inf.addEventHandler({
        onAdd: () => { wakeAll(); handler(`${kind}Add`); },
        onUpdate: () => { wakeAll(); handler(`${kind}Update`); },
        onDelete: () => { wakeAll(); handler(`${kind}Delete`); },
      });
      const offs = [wire(claims, 'PersistentVolumeClaim'), wire(volumes, 'PersistentVolume'), wire(classes, 'StorageClass')];
      return () => offs.forEach((f) => f());
    },
  };
}
