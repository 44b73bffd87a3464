/** core/v1 PersistentVolume and PersistentVolumeClaim. */
import { accessModes, age, ageColumn, column, nameColumn, quantity } from '../format.js';
import type { TablePrinter } from '../types.js';

const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

function annotation(obj: any, key: string): string | undefined {
  const anns = obj?.metadata?.annotations;
  return anns && Object.prototype.hasOwnProperty.call(anns, key) ? String(anns[key]) : undefined;
}

function phaseOf(obj: any): string {
  return obj?.metadata?.deletionTimestamp ? 'Terminating' : (obj?.status?.phase ?? '');
}

export const persistentVolumePrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Capacity', 'Storage capacity of the volume.'),
    column('Access Modes', 'Ways the volume can be mounted.'),
    column('Reclaim Policy', 'What happens to the volume when its claim is released.'),
    column('Status', 'Lifecycle phase of the volume.'),
    column('Claim', 'Claim bound to the volume, as namespace/name.'),
    column('StorageClass', 'Storage class of the volume.'),
    column('VolumeAttributesClass', 'Volume attributes class of the volume.'),
    column('Reason', 'Why the volume is in its phase.'),
    ageColumn,
    column('VolumeMode', 'Filesystem or Block.', { priority: 1 }),
  ],
  cells(pv, now) {
    const spec = pv?.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    return [
      pv?.metadata?.name ?? '',
      quantity(spec.capacity?.storage),
      accessModes(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? '',
      phaseOf(pv),
      claim,
      annotation(pv, BETA_CLASS_ANNOTATION) ?? spec.storageClassName ?? '',
      spec.volumeAttributesClassName ?? '<unset>',
      pv?.status?.reason ?? '',
      age(pv, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Status', 'Lifecycle phase of the claim.'),
    column('Volume', 'Volume bound to the claim.'),
    column('Capacity', 'Capacity of the bound volume.'),
    column('Access Modes', 'Access modes of the bound volume.'),
    column('StorageClass', 'Storage class requested by the claim.'),
    column('VolumeAttributesClass', 'Volume attributes class requested by the claim.'),
    ageColumn,
    column('VolumeMode', 'Filesystem or Block.', { priority: 1 }),
  ],
  cells(pvc, now) {
    const spec = pvc?.spec ?? {};
    const bound = Boolean(spec.volumeName);
    return [
      pvc?.metadata?.name ?? '',
      phaseOf(pvc),
      spec.volumeName ?? '',
      bound ? quantity(pvc?.status?.capacity?.storage) : '',
      bound ? accessModes(pvc?.status?.accessModes) : '',
      annotation(pvc, BETA_CLASS_ANNOTATION) ?? spec.storageClassName ?? '',
      spec.volumeAttributesClassName ?? '<unset>',
      age(pvc, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
};
