/**
 * Rules shared by the workload kinds (Deployment, ReplicaSet, StatefulSet, DaemonSet,
 * ReplicationController): selector vs template labels, template restart policy, int-or-percent
 * fields, history limits.
 */
import {
  FieldPath,
  forbidden,
  invalid,
  isValidPercent,
  labelSelectorIsEmpty,
  labelSelectorMatches,
  notSupported,
  required,
  validateAnnotations,
  validateLabelSelector,
  validateLabels,
  validateNonnegativeField,
  type FieldError,
  type LabelSelector,
} from '../../../machinery/validation/index.js';
import { validatePodTemplateSpec } from '../core/pod-spec-validation.js';

export const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** The selector for a workload (required, non-empty, valid). */
export function validateWorkloadSelector(sel: LabelSelector | undefined, path: FieldPath, kindWord: string): FieldError[] {
  if (!sel) return [required(path)];
  const errs = validateLabelSelector(sel, path);
  if (labelSelectorIsEmpty(sel)) errs.push(invalid(path, sel, `empty selector is invalid for ${kindWord}`));
  return errs;
}

/**
 * upstream ValidatePodTemplateSpecForReplicaSet (also used by StatefulSet/DaemonSet with their
 * own wording): labels must match the selector, restartPolicy must be Always, no activeDeadlineSeconds.
 * StatefulSet passes `podSpec: false`: upstream checks only the template's labels and annotations
 * there, because volume mounts may name volumeClaimTemplates rather than pod volumes.
 */
export function validateTemplateForController(
  template: any,
  selector: LabelSelector | undefined,
  path: FieldPath,
  kindName = 'ReplicaSet',
  opts: { podSpec?: boolean } = {},
): FieldError[] {
  if (!template) return [required(path)];
  const errs: FieldError[] = [];
  // A missing selector matches nothing (upstream's LabelSelectorAsSelector(nil)); an empty one is skipped.
  const mismatch = !selector || (!labelSelectorIsEmpty(selector) && !labelSelectorMatches(selector, template.metadata?.labels ?? {}));
  if (mismatch) {
    errs.push(invalid(path.child('metadata', 'labels'), template.metadata?.labels ?? {}, SELECTOR_MISMATCH));
  }
  if (opts.podSpec === false) {
    errs.push(...validateLabels(template.metadata?.labels, path.child('labels')));
    errs.push(...validateAnnotations(template.metadata?.annotations, path.child('annotations')));
  } else {
    errs.push(...validatePodTemplateSpec(template, path));
  }
  const rp = template.spec?.restartPolicy;
  if (rp !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), rp ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kindName} is not Supported`));
  }
  return errs;
}

/** An int-or-percent that must be a non-negative integer or a percentage string. */
export function validatePositiveIntOrPercent(v: unknown, path: FieldPath): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, v, m));
  if (typeof v === 'number') return validateNonnegativeField(v, path);
  if (v === undefined || v === null) return [];
  return [invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return -1;
}

export function isNotMoreThan100Percent(v: unknown, path: FieldPath): FieldError[] {
  if (typeof v !== 'string' || !v.endsWith('%')) return [];
  const n = Number(v.slice(0, -1));
  return n > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

export function validateOptionalNonnegative(v: unknown, path: FieldPath): FieldError[] {
  return typeof v === 'number' ? validateNonnegativeField(v, path) : [];
}
