/**
 * apps/v1 Deployment: defaults (replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
 * progressDeadlineSeconds 600) and validation (selector required and immutable).
 */
import {
  FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
  validateImmutableField,
  validateNonnegativeField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec } from '../core/pod-spec-defaults.js';
import {
  intOrPercentValue,
  isNotMoreThan100Percent,
  validateOptionalNonnegative,
  validatePositiveIntOrPercent,
  validateTemplateForController,
  validateWorkloadSelector,
} from './workload.js';

const spec = FieldPath.root('spec');

function defaults(d: any): void {
  if (!d.spec || typeof d.spec !== 'object') d.spec = {};
  const s = d.spec;
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
  if (!s.strategy || typeof s.strategy !== 'object') s.strategy = {};
  if (!s.strategy.type) s.strategy.type = 'RollingUpdate';
  if (s.strategy.type === 'RollingUpdate') {
    if (!s.strategy.rollingUpdate || typeof s.strategy.rollingUpdate !== 'object') s.strategy.rollingUpdate = {};
    const ru = s.strategy.rollingUpdate;
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  if (s.progressDeadlineSeconds === undefined || s.progressDeadlineSeconds === null) s.progressDeadlineSeconds = 600;
  if (!s.template || typeof s.template !== 'object') s.template = {};
  defaultPodTemplateSpec(s.template);
}

function validateStrategy(st: any, path: FieldPath): FieldError[] {
  const type = st?.type;
  if (type === 'Recreate') {
    return st.rollingUpdate ? [forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type === 'RollingUpdate') {
    const ru = st.rollingUpdate;
    if (!ru) return [required(path.child('rollingUpdate'), 'this should be defaulted and never be nil')];
    const rp = path.child('rollingUpdate');
    const errs = [
      ...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')),
      ...validatePositiveIntOrPercent(ru.maxSurge, rp.child('maxSurge')),
    ];
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(invalid(rp.child('maxUnavailable'), ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
    return errs;
  }
  return [notSupported(path, st ?? null, ['Recreate', 'RollingUpdate'])];
}

function validate(d: any): FieldError[] {
  const errs: FieldError[] = [];
  const s = d?.spec ?? {};
  if (typeof s.replicas === 'number') errs.push(...validateNonnegativeField(s.replicas, spec.child('replicas')));
  errs.push(...validateWorkloadSelector(s.selector, spec.child('selector'), 'deployment'));
  errs.push(...validateTemplateForController(s.template, s.selector, spec.child('template')));
  errs.push(...validateStrategy(s.strategy, spec.child('strategy')));
  errs.push(...validateOptionalNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...validateOptionalNonnegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (typeof s.progressDeadlineSeconds === 'number') {
    errs.push(...validateNonnegativeField(s.progressDeadlineSeconds, spec.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(invalid(spec.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateUpdate(d: any, old: any): FieldError[] {
  return [
    ...validateImmutableField(d?.spec?.selector, old?.spec?.selector, spec.child('selector')),
  ];
}

export const deploymentStrategy: KindStrategy = { defaults, validate, validateUpdate };
