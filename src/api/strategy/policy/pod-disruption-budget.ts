/** policy/v1 PodDisruptionBudget: one of minAvailable / maxUnavailable, int or percent, valid selector. */
import { FieldPath, invalid, notSupported, validateLabelSelector, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../apps/workload.js';

const isSet = (v: unknown) => v !== undefined && v !== null;

export const podDisruptionBudgetStrategy: KindStrategy = {
  validate(pdb: any): FieldError[] {
    const s = pdb?.spec ?? {};
    const spec = FieldPath.root('spec');
    const errs: FieldError[] = [];
    if (isSet(s.minAvailable) && isSet(s.maxUnavailable)) errs.push(invalid(spec, s, 'minAvailable and maxUnavailable cannot be both set'));
    for (const f of ['minAvailable', 'maxUnavailable']) {
      if (!isSet(s[f])) continue;
      errs.push(...validatePositiveIntOrPercent(s[f], spec.child(f)), ...isNotMoreThan100Percent(s[f], spec.child(f)));
    }
    errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
    const policies = ['AlwaysAllow', 'IfHealthyBudget'];
    if (isSet(s.unhealthyPodEvictionPolicy) && !policies.includes(s.unhealthyPodEvictionPolicy)) {
      errs.push(notSupported(spec.child('unhealthyPodEvictionPolicy'), s.unhealthyPodEvictionPolicy, policies));
    }
    return errs;
  },
};
