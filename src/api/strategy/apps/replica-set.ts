/** apps/v1 ReplicaSet: replicas defaults to 1; selector required, matching and immutable. */
import {
  FieldPath,
  validateImmutableField,
  validateNonnegativeField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec } from '../core/pod-spec-defaults.js';
import { validateOptionalNonnegative, validateTemplateForController, validateWorkloadSelector } from './workload.js';

const spec = FieldPath.root('spec');

export const replicaSetStrategy: KindStrategy = {
  defaults(rs: any) {
    if (!rs.spec || typeof rs.spec !== 'object') rs.spec = {};
    if (rs.spec.replicas === undefined || rs.spec.replicas === null) rs.spec.replicas = 1;
    if (!rs.spec.template || typeof rs.spec.template !== 'object') rs.spec.template = {};
    defaultPodTemplateSpec(rs.spec.template);
  },
  validate(rs: any): FieldError[] {
    const errs: FieldError[] = [];
    const s = rs?.spec ?? {};
    if (typeof s.replicas === 'number') errs.push(...validateNonnegativeField(s.replicas, spec.child('replicas')));
    errs.push(...validateOptionalNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
    errs.push(...validateWorkloadSelector(s.selector, spec.child('selector'), 'deployment'));
    errs.push(...validateTemplateForController(s.template, s.selector, spec.child('template')));
    return errs;
  },
  validateUpdate(rs: any, old: any) {
    return [
      ...validateImmutableField(rs?.spec?.selector, old?.spec?.selector, spec.child('selector')),
    ];
  },
};
