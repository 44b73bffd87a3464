/**
 * v1 PersistentVolumeClaim: volumeMode Filesystem, status Pending; access modes and a positive
 * storage request are required; after creation only resources.requests may change (and an unset
 * volumeName may be filled by the binder).
 */
import {
  FieldPath,
  deepCopy,
  forbidden,
  invalid,
  notSupported,
  required,
  semanticEqual,
  nameIsDNSSubdomain,
  validateLabelSelector,
  validateQuantity,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPVCSpec } from './pod-spec-defaults.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];

/** upstream ValidatePersistentVolumeClaimSpec (shared with ephemeral volumes and claim templates). */
export function validatePVCSpec(s: any, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const modes: unknown[] = Array.isArray(s?.accessModes) ? s.accessModes : [];
  if (modes.length === 0) errs.push(required(path.child('accessModes'), 'at least 1 access mode is required'));
  if (s?.selector) errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  for (const m of modes) if (!ACCESS_MODES.includes(String(m))) errs.push(notSupported(path.child('accessModes'), m, ACCESS_MODES));
  const sp = path.child('resources').key('storage');
  const storage = s?.resources?.requests?.storage;
  if (storage === undefined || storage === null) errs.push(required(sp));
  else {
    const { quantity, errors } = validateQuantity(storage, sp);
    if (errors.length) errs.push(...errors);
    else if (quantity && quantity.num <= 0n) errs.push(invalid(sp, String(storage), 'must be greater than zero'));
  }
  if (s?.storageClassName) {
    for (const m of nameIsDNSSubdomain(String(s.storageClassName), false)) errs.push(invalid(path.child('storageClassName'), s.storageClassName, m));
  }
  if (s?.volumeMode !== undefined && !VOLUME_MODES.includes(s.volumeMode)) errs.push(notSupported(path.child('volumeMode'), s.volumeMode, VOLUME_MODES));
  return errs;
}

export const persistentVolumeClaimStrategy: KindStrategy = {
  defaults(pvc: any) {
    if (!pvc.spec || typeof pvc.spec !== 'object') pvc.spec = {};
    defaultPVCSpec(pvc.spec);
    if (!pvc.status || typeof pvc.status !== 'object') pvc.status = {};
    if (!pvc.status.phase) pvc.status.phase = 'Pending';
  },
  validate(pvc: any) {
    return validatePVCSpec(pvc?.spec ?? {}, FieldPath.root('spec'));
  },
  validateUpdate(pvc: any, old: any) {
    const n = deepCopy(pvc?.spec ?? {});
    const o = old?.spec ?? {};
    if (!o.volumeName) n.volumeName = o.volumeName;
    if (n.resources && typeof n.resources === 'object') n.resources.requests = o.resources?.requests;
    if (semanticEqual(n, o)) return [];
    return [forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  },
};
