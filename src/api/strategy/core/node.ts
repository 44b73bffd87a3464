/** v1 Node: allocatable defaults to capacity; taints must be well-formed. */
import { FieldPath, duplicate, notSupported, required, validateLabelName, invalid, isValidLabelValue, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultResourceList } from './pod-spec-defaults.js';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export const nodeStrategy: KindStrategy = {
  defaults(node: any) {
    const st = node.status;
    if (st && typeof st === 'object') {
      defaultResourceList(st.capacity);
      if (st.capacity && !st.allocatable) st.allocatable = { ...st.capacity };
      defaultResourceList(st.allocatable);
    }
  },
  validate(node: any): FieldError[] {
    const errs: FieldError[] = [];
    const tp = FieldPath.root('spec', 'taints');
    const seen = new Set<string>();
    (Array.isArray(node?.spec?.taints) ? node.spec.taints : []).forEach((t: any, i: number) => {
      const ip = tp.index(i);
      errs.push(...validateLabelName(String(t?.key ?? ''), ip.child('key')));
      if (t?.value) for (const m of isValidLabelValue(String(t.value))) errs.push(invalid(ip.child('value'), t.value, m));
      if (!t?.effect) errs.push(required(ip.child('effect')));
      else if (!EFFECTS.includes(t.effect)) errs.push(notSupported(ip.child('effect'), t.effect, EFFECTS));
      const key = `${t?.key}:${t?.effect}`;
      if (seen.has(key)) errs.push(duplicate(tp, t));
      seen.add(key);
    });
    return errs;
  },
};
