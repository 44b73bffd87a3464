/**
 * DefaultStorageClass (upstream's plugin of that name): a PersistentVolumeClaim created without
 * spec.storageClassName gets the StorageClass annotated
 * `storageclass.kubernetes.io/is-default-class: "true"` (the newest when several are, then by
 * name, as upstream since 1.28). A claim that sets storageClassName, even to "", is left alone.
 */
import type { AdmissionPluginFactory } from './types.js';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export const defaultStorageClass: AdmissionPluginFactory = (lookup) => ({
  name: 'DefaultStorageClass',
  async admit(a) {
    if (a.resource.group !== '' || a.resource.plural !== 'persistentvolumeclaims' || a.subresource || a.operation !== 'CREATE') return;
    const spec = a.object?.spec;
    if (!spec || typeof spec !== 'object' || (spec.storageClassName !== undefined && spec.storageClassName !== null)) return;
    if (!lookup.list) return;
    const classes = (await lookup.list('storage.k8s.io', 'storageclasses', '')).filter((sc) => {
      const ann = sc.metadata?.annotations ?? {};
      return ann[DEFAULT_CLASS_ANNOTATION] === 'true' || ann[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
    });
    if (!classes.length) return;
    classes.sort((x, y) => {
      const tx = String(x.metadata.creationTimestamp ?? '');
      const ty = String(y.metadata.creationTimestamp ?? '');
      if (tx !== ty) return tx < ty ? 1 : -1;
      return String(x.metadata.name) < String(y.metadata.name) ? -1 : 1;
    });
    spec.storageClassName = classes[0]!.metadata.name;
  },
});
