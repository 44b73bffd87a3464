/** coordination.k8s.io/v1 Lease: positive duration, non-negative transitions. */
import { FieldPath, invalid, validateNonnegativeField, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

export const leaseStrategy: KindStrategy = {
  validate(lease: any): FieldError[] {
    const s = lease?.spec ?? {};
    const spec = FieldPath.root('spec');
    const errs: FieldError[] = [];
    if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0) {
      errs.push(invalid(spec.child('leaseDurationSeconds'), s.leaseDurationSeconds, 'must be greater than 0'));
    }
    if (typeof s.leaseTransitions === 'number') errs.push(...validateNonnegativeField(s.leaseTransitions, spec.child('leaseTransitions')));
    return errs;
  },
};
