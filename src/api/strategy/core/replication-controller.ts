/** v1 ReplicationController: selector and labels default from the template; replicas 1. */
import {
  FieldPath,
  required,
  validateNonnegativeField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec } from './pod-spec-defaults.js';
import { validateTemplateForController, validateOptionalNonnegative } from '../apps/workload.js';

const spec = FieldPath.root('spec');

export const replicationControllerStrategy: KindStrategy = {
  defaults(rc: any) {
    if (!rc.spec || typeof rc.spec !== 'object') rc.spec = {};
    const s = rc.spec;
    const labels = s.template?.metadata?.labels;
    if (labels && typeof labels === 'object') {
      if (!s.selector || Object.keys(s.selector).length === 0) s.selector = { ...labels };
      if (!rc.metadata) rc.metadata = {};
      if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
    }
    if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
    if (s.template && typeof s.template === 'object') defaultPodTemplateSpec(s.template);
  },
  validate(rc: any): FieldError[] {
    const errs: FieldError[] = [];
    const s = rc?.spec ?? {};
    errs.push(...validateOptionalNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
    if (!s.selector || Object.keys(s.selector).length === 0) errs.push(required(spec.child('selector')));
    if (typeof s.replicas === 'number') errs.push(...validateNonnegativeField(s.replicas, spec.child('replicas')));
    const sel = s.selector ? { matchLabels: s.selector } : undefined;
    errs.push(...validateTemplateForController(s.template, sel ?? {}, spec.child('template'), 'ReplicationController'));
    return errs;
  },
  validateUpdate(rc: any, old: any) {
    return [];
  },
};
