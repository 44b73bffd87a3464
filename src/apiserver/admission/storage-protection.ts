/**
 * StorageObjectInUseProtection (upstream's plugin of that name): every PersistentVolumeClaim is
 * created with the finalizer `kubernetes.io/pvc-protection` and every PersistentVolume with
 * `kubernetes.io/pv-protection`, so neither disappears while in use; the pvc-protection and
 * pv-protection controllers remove the finalizers once the object is free.
 */
import type { AdmissionPluginFactory } from './types.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export const storageObjectInUseProtection: AdmissionPluginFactory = () => ({
  name: 'StorageObjectInUseProtection',
  admit(a) {
    if (a.resource.group !== '' || a.subresource || a.operation !== 'CREATE') return;
    const finalizer = a.resource.plural === 'persistentvolumeclaims' ? PVC_PROTECTION_FINALIZER
      : a.resource.plural === 'persistentvolumes' ? PV_PROTECTION_FINALIZER : undefined;
    if (!finalizer || !a.object || typeof a.object !== 'object') return;
    const meta = (a.object.metadata ??= {});
    const list: unknown = meta.finalizers;
    if (Array.isArray(list)) {
      if (!list.includes(finalizer)) list.push(finalizer);
    } else {
      meta.finalizers = [finalizer];
    }
  },
});
