/** v1 PodTemplate: the template gets PodSpec defaults and validation. */
import { FieldPath } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec } from './pod-spec-defaults.js';
import { validatePodTemplateSpec } from './pod-spec-validation.js';

export const podTemplateStrategy: KindStrategy = {
  defaults(pt: any) {
    if (!pt.template || typeof pt.template !== 'object') pt.template = {};
    defaultPodTemplateSpec(pt.template);
  },
  validate(pt: any) {
    return validatePodTemplateSpec(pt?.template, FieldPath.root('template'));
  },
};
