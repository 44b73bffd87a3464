/** storage.k8s.io/v1 StorageClass: NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export function isDefaultStorageClass(sc: any): boolean {
  const anns = sc?.metadata?.annotations ?? {};
  return DEFAULT_ANNOTATIONS.some((k) => anns[k] === 'true');
}

export const storageClassPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Provisioner', 'Volume plugin that provisions volumes of this class.'),
    column('ReclaimPolicy', 'Reclaim policy given to provisioned volumes.'),
    column('VolumeBindingMode', 'When volumes are bound and provisioned.'),
    column('AllowVolumeExpansion', 'Whether claims of this class can grow.'),
    ageColumn,
  ],
  cells(sc, now) {
    const name = String(sc?.metadata?.name ?? '') + (isDefaultStorageClass(sc) ? ' (default)' : '');
    return [
      name,
      sc?.provisioner ?? '',
      sc?.reclaimPolicy ?? 'Delete',
      sc?.volumeBindingMode ?? 'Immediate',
      sc?.allowVolumeExpansion === true,
      age(sc, now),
    ];
  },
};
