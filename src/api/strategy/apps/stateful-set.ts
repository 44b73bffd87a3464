/**
 * apps/v1 StatefulSet: defaults (OrderedReady, RollingUpdate partition 0, Retain/Retain PVC
 * retention, replicas 1, revisionHistoryLimit 10, claim templates) and validation, including the
 * update rule that only a few spec fields may change.
 */
import {
  FieldPath,
  deepCopy,
  forbidden,
  invalid,
  notSupported,
  required,
  semanticEqual,
  validateNonnegativeField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec, defaultPVCSpec, defaultTemplateMetadata } from '../core/pod-spec-defaults.js';
import { validateOptionalNonnegative, validateTemplateForController, validateWorkloadSelector } from './workload.js';

const spec = FieldPath.root('spec');

function defaults(ss: any): void {
  if (!ss.spec || typeof ss.spec !== 'object') ss.spec = {};
  const s = ss.spec;
  if (!s.podManagementPolicy) s.podManagementPolicy = 'OrderedReady';
  if (!s.updateStrategy || typeof s.updateStrategy !== 'object') s.updateStrategy = {};
  if (!s.updateStrategy.type) {
    s.updateStrategy.type = 'RollingUpdate';
    if (!s.updateStrategy.rollingUpdate) s.updateStrategy.rollingUpdate = {};
  }
  const ru = s.updateStrategy.rollingUpdate;
  if (s.updateStrategy.type === 'RollingUpdate' && ru && typeof ru === 'object') {
    if (ru.partition === undefined || ru.partition === null) ru.partition = 0;
  }
  if (!s.persistentVolumeClaimRetentionPolicy || typeof s.persistentVolumeClaimRetentionPolicy !== 'object') {
    s.persistentVolumeClaimRetentionPolicy = {};
  }
  const rp = s.persistentVolumeClaimRetentionPolicy;
  if (!rp.whenDeleted) rp.whenDeleted = 'Retain';
  if (!rp.whenScaled) rp.whenScaled = 'Retain';
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  if (!s.template || typeof s.template !== 'object') s.template = {};
  defaultPodTemplateSpec(s.template);
  for (const t of Array.isArray(s.volumeClaimTemplates) ? s.volumeClaimTemplates : []) {
    if (!t || typeof t !== 'object') continue;
    if (!t.apiVersion) t.apiVersion = 'v1';
    if (!t.kind) t.kind = 'PersistentVolumeClaim';
    defaultTemplateMetadata(t);
    if (!t.spec || typeof t.spec !== 'object') t.spec = {};
    defaultPVCSpec(t.spec);
    if (!t.status || typeof t.status !== 'object') t.status = {};
    if (!t.status.phase) t.status.phase = 'Pending';
  }
}

function validate(ss: any): FieldError[] {
  const errs: FieldError[] = [];
  const s = ss?.spec ?? {};
  const pmp = s.podManagementPolicy ?? '';
  if (pmp === '') errs.push(required(spec.child('podManagementPolicy')));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid(spec.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = s.updateStrategy ?? {};
  const usp = spec.child('updateStrategy');
  if (!us.type) errs.push(required(usp));
  else if (us.type === 'OnDelete') {
    if (us.rollingUpdate) errs.push(invalid(usp.child('rollingUpdate'), us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    if (us.rollingUpdate) errs.push(...validateOptionalNonnegative(us.rollingUpdate.partition, usp.child('rollingUpdate', 'partition')));
  } else {
    errs.push(invalid(usp, us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const rp = s.persistentVolumeClaimRetentionPolicy;
  if (rp) {
    for (const k of ['whenDeleted', 'whenScaled']) {
      if (rp[k] !== 'Retain' && rp[k] !== 'Delete') {
        errs.push(notSupported(spec.child('persistentVolumeClaimRetentionPolicy', k), rp[k] ?? '', ['Retain', 'Delete']));
      }
    }
  }
  if (typeof s.replicas === 'number') errs.push(...validateNonnegativeField(s.replicas, spec.child('replicas')));
  errs.push(...validateOptionalNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
  if (s.ordinals && typeof s.ordinals.start === 'number') {
    errs.push(...validateNonnegativeField(s.ordinals.start, spec.child('ordinals', 'start')));
  }
  errs.push(...validateWorkloadSelector(s.selector, spec.child('selector'), 'statefulset'));
  errs.push(...validateTemplateForController(s.template, s.selector, spec.child('template'), 'StatefulSet', { podSpec: false }));
  return errs;
}

const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateUpdate(ss: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const n = deepCopy(ss?.spec ?? {});
  const o = old?.spec ?? {};
  for (const k of MUTABLE) n[k] = o[k];
  if (!semanticEqual(n, o)) {
    errs.push(
      forbidden(
        spec,
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export const statefulSetStrategy: KindStrategy = { defaults, validate, validateUpdate };
