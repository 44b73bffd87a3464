/** storage.k8s.io/v1 StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate; provisioner and parameters are fixed. */
import {
  FieldPath,
  forbidden,
  invalid,
  isQualifiedName,
  notSupported,
  required,
  semanticEqual,
  validateImmutableField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

export const storageClassStrategy: KindStrategy = {
  defaults(sc: any) {
    if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
    if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
  },
  validate(sc: any): FieldError[] {
    const errs: FieldError[] = [];
    const p = FieldPath.root('provisioner');
    if (!sc?.provisioner) errs.push(required(p));
    else for (const m of isQualifiedName(String(sc.provisioner).toLowerCase())) errs.push(invalid(p, sc.provisioner, m));
    if (sc?.reclaimPolicy && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
    const modes = ['Immediate', 'WaitForFirstConsumer'];
    if (!sc?.volumeBindingMode) errs.push(required('volumeBindingMode'));
    else if (!modes.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, modes));
    return errs;
  },
  validateUpdate(sc: any, old: any): FieldError[] {
    const errs: FieldError[] = [];
    if (!semanticEqual(sc?.parameters, old?.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if (sc?.provisioner !== old?.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc?.reclaimPolicy !== old?.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    errs.push(...validateImmutableField(sc?.volumeBindingMode, old?.volumeBindingMode, 'volumeBindingMode'));
    return errs;
  },
};
