/** v1 PersistentVolume: reclaim policy Retain, volumeMode Filesystem, status Pending; capacity, access modes and one source required. */
import {
  FieldPath,
  forbidden,
  notSupported,
  required,
  validateResourceList,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultResourceList } from './pod-spec-defaults.js';
import { ACCESS_MODES, VOLUME_MODES } from './persistent-volume-claim.js';

const spec = FieldPath.root('spec');
const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'iscsi', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

export const persistentVolumeStrategy: KindStrategy = {
  defaults(pv: any) {
    if (!pv.spec || typeof pv.spec !== 'object') pv.spec = {};
    if (!pv.spec.persistentVolumeReclaimPolicy) pv.spec.persistentVolumeReclaimPolicy = 'Retain';
    if (!pv.spec.volumeMode) pv.spec.volumeMode = 'Filesystem';
    if (pv.spec.hostPath && typeof pv.spec.hostPath === 'object' && pv.spec.hostPath.type === undefined) pv.spec.hostPath.type = '';
    defaultResourceList(pv.spec.capacity);
    if (!pv.status || typeof pv.status !== 'object') pv.status = {};
    if (!pv.status.phase) pv.status.phase = 'Pending';
  },
  validate(pv: any): FieldError[] {
    const s = pv?.spec ?? {};
    const errs: FieldError[] = [];
    const modes: unknown[] = Array.isArray(s.accessModes) ? s.accessModes : [];
    if (modes.length === 0) errs.push(required(spec.child('accessModes')));
    for (const m of modes) if (!ACCESS_MODES.includes(String(m))) errs.push(notSupported(spec.child('accessModes'), m, ACCESS_MODES));
    if (!s.capacity || Object.keys(s.capacity).length === 0) errs.push(required(spec.child('capacity')));
    else {
      if (!('storage' in s.capacity) || Object.keys(s.capacity).length !== 1) errs.push(notSupported(spec.child('capacity'), Object.keys(s.capacity), ['storage']));
      errs.push(...validateResourceList(s.capacity, spec.child('capacity')));
    }
    const policies = ['Delete', 'Recycle', 'Retain'];
    if (s.persistentVolumeReclaimPolicy && !policies.includes(s.persistentVolumeReclaimPolicy)) {
      errs.push(notSupported(spec.child('persistentVolumeReclaimPolicy'), s.persistentVolumeReclaimPolicy, policies));
    }
    const present = PV_SOURCES.filter((k) => s[k] !== undefined && s[k] !== null);
    if (present.length === 0) errs.push(required(spec, 'must specify a volume type'));
    for (const extra of present.slice(1)) errs.push(forbidden(spec.child(extra), 'may not specify more than 1 volume type'));
    if (s.hostPath && !s.hostPath.path) errs.push(required(spec.child('hostPath', 'path')));
    if (s.local && !s.local.path) errs.push(required(spec.child('local', 'path')));
    if (s.volumeMode !== undefined && !VOLUME_MODES.includes(s.volumeMode)) errs.push(notSupported(spec.child('volumeMode'), s.volumeMode, VOLUME_MODES));
    return errs;
  },
};
