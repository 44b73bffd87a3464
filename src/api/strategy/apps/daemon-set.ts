/**
 * apps/v1 DaemonSet: defaults (RollingUpdate maxUnavailable 1 maxSurge 0, revisionHistoryLimit 10)
 * and validation (selector matching and immutable, update strategy).
 */
import {
  FieldPath,
  invalid,
  labelSelectorIsEmpty,
  labelSelectorMatches,
  notSupported,
  required,
  validateImmutableField,
  validateLabelSelector,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec } from '../core/pod-spec-defaults.js';
import { validatePodTemplateSpec } from '../core/pod-spec-validation.js';
import {
  SELECTOR_MISMATCH,
  intOrPercentValue,
  isNotMoreThan100Percent,
  validateOptionalNonnegative,
  validatePositiveIntOrPercent,
} from './workload.js';

const spec = FieldPath.root('spec');

function defaults(ds: any): void {
  if (!ds.spec || typeof ds.spec !== 'object') ds.spec = {};
  const s = ds.spec;
  if (!s.updateStrategy || typeof s.updateStrategy !== 'object') s.updateStrategy = {};
  if (!s.updateStrategy.type) s.updateStrategy.type = 'RollingUpdate';
  if (s.updateStrategy.type === 'RollingUpdate') {
    if (!s.updateStrategy.rollingUpdate || typeof s.updateStrategy.rollingUpdate !== 'object') s.updateStrategy.rollingUpdate = {};
    const ru = s.updateStrategy.rollingUpdate;
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  if (!s.template || typeof s.template !== 'object') s.template = {};
  defaultPodTemplateSpec(s.template);
}

function validateUpdateStrategy(st: any, path: FieldPath): FieldError[] {
  if (st?.type === 'OnDelete') return [];
  if (st?.type === 'RollingUpdate') {
    const ru = st.rollingUpdate;
    if (!ru) return [required(path.child('rollingUpdate'))];
    const rp = path.child('rollingUpdate');
    const errs = [
      ...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')),
      ...validatePositiveIntOrPercent(ru.maxSurge, rp.child('maxSurge')),
      ...isNotMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')),
      ...isNotMoreThan100Percent(ru.maxSurge, rp.child('maxSurge')),
    ];
    const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
    const hasSurge = intOrPercentValue(ru.maxSurge ?? 0) !== 0;
    if (hasUnavailable && hasSurge) errs.push(invalid(rp.child('maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
    else if (!hasUnavailable && !hasSurge) errs.push(required(rp.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
    return errs;
  }
  return [notSupported(path, st ?? null, ['RollingUpdate', 'OnDelete'])];
}

function validate(ds: any): FieldError[] {
  const errs: FieldError[] = [];
  const s = ds?.spec ?? {};
  errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  if (!labelSelectorMatches(s.selector, s.template?.metadata?.labels ?? {})) {
    errs.push(invalid(spec.child('template', 'metadata', 'labels'), s.template?.metadata?.labels ?? {}, SELECTOR_MISMATCH));
  }
  if (s.selector && labelSelectorIsEmpty(s.selector)) errs.push(invalid(spec.child('selector'), s.selector, 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(s.template, spec.child('template')));
  const rp = s.template?.spec?.restartPolicy;
  if (rp !== 'Always') errs.push(notSupported(spec.child('template', 'spec', 'restartPolicy'), rp ?? '', ['Always']));
  const ads = s.template?.spec?.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    errs.push(invalid(spec.child('template', 'spec', 'activeDeadlineSeconds'), ads, 'activeDeadlineSeconds must be nil for daemonset'));
  }
  errs.push(...validateOptionalNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...validateUpdateStrategy(s.updateStrategy, spec.child('updateStrategy')));
  errs.push(...validateOptionalNonnegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  return errs;
}

export const daemonSetStrategy: KindStrategy = {
  defaults,
  validate,
  validateUpdate(ds: any, old: any) {
    return [
      ...validateImmutableField(ds?.spec?.selector, old?.spec?.selector, spec.child('selector')),
    ];
  },
};
