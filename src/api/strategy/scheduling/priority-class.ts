/** scheduling.k8s.io/v1 PriorityClass: preemptionPolicy PreemptLowerPriority; value bounds and immutability. */
import { FieldPath, forbidden, notSupported, validateImmutableField, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
const SYSTEM_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export const priorityClassStrategy: KindStrategy = {
  defaults(pc: any) {
    if (!pc.preemptionPolicy) pc.preemptionPolicy = 'PreemptLowerPriority';
  },
  validate(pc: any): FieldError[] {
    const errs: FieldError[] = [];
    const name = String(pc?.metadata?.name ?? '');
    if (name.startsWith('system-')) {
      const want = SYSTEM_CLASSES[name];
      const why =
        want === undefined ? `${name} is not a known system priority class` : pc?.value !== want ? `value of ${name} PriorityClass must be ${want}` : '';
      if (why) errs.push(forbidden(FieldPath.root('metadata', 'name'), `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`));
    } else if (typeof pc?.value === 'number' && pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
    }
    if (pc?.preemptionPolicy && !['Never', 'PreemptLowerPriority'].includes(pc.preemptionPolicy)) {
      errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
    }
    return errs;
  },
  validateUpdate(pc: any, old: any): FieldError[] {
    const errs: FieldError[] = [];
    if (pc?.value !== old?.value) errs.push(forbidden('value', 'may not be changed in an update.'));
    errs.push(...validateImmutableField(pc?.preemptionPolicy, old?.preemptionPolicy, 'preemptionPolicy'));
    return errs;
  },
};
