/**
 * batch/v1 Job: defaults (completions/parallelism 1, backoffLimit 6, NonIndexed, suspend false,
 * manualSelector false, podReplacementPolicy), the generated selector and template labels
 * (prepareJobForCreate, which needs the uid), and validation.
 */
import {
  FieldPath,
  invalid,
  isDNS1123Label,
  labelSelectorMatches,
  notSupported,
  required,
  validateImmutableField,
  validateLabelSelector,
  validateNonnegativeField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec } from '../core/pod-spec-defaults.js';
import { validatePodTemplateSpec } from '../core/pod-spec-validation.js';
import { SELECTOR_MISMATCH } from '../apps/workload.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const spec = FieldPath.root('spec');
const isSet = (v: unknown) => v !== undefined && v !== null;

export function defaultJobSpec(s: any): void {
  if (!isSet(s.completions) && !isSet(s.parallelism)) {
    s.completions = 1;
    s.parallelism = 1;
  }
  if (!isSet(s.parallelism)) s.parallelism = 1;
  if (!isSet(s.backoffLimit)) s.backoffLimit = isSet(s.backoffLimitPerIndex) ? 2147483647 : 6;
  if (!s.completionMode) s.completionMode = 'NonIndexed';
  if (!isSet(s.suspend)) s.suspend = false;
  if (!isSet(s.manualSelector)) s.manualSelector = false;
  if (!s.podReplacementPolicy) s.podReplacementPolicy = s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of s.podFailurePolicy?.rules ?? []) {
    for (const pat of rule?.onPodConditions ?? []) if (pat && !pat.status) pat.status = 'True';
  }
  if (!s.template || typeof s.template !== 'object') s.template = {};
  defaultPodTemplateSpec(s.template);
}

function defaults(job: any): void {
  if (!job.spec || typeof job.spec !== 'object') job.spec = {};
  defaultJobSpec(job.spec);
  const labels = job.spec.template?.metadata?.labels;
  if (!job.metadata || typeof job.metadata !== 'object') job.metadata = {};
  if (labels && (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0)) job.metadata.labels = { ...labels };
}

/**
 * What the server does to a new Job once it knows its uid: unless manualSelector is true, adds the
 * controller-uid and job-name labels to the template and selects on batch.kubernetes.io/controller-uid.
 * Call after defaults() and before validate(); also sets metadata.uid when missing.
 */
export function prepareJobForCreate(job: any, uid: string): void {
  if (!job.metadata || typeof job.metadata !== 'object') job.metadata = {};
  if (!job.metadata.uid) job.metadata.uid = uid;
  if (!job.spec || typeof job.spec !== 'object') job.spec = {};
  const s = job.spec;
  if (s.manualSelector === true) return;
  if (!s.template || typeof s.template !== 'object') s.template = {};
  if (!s.template.metadata || typeof s.template.metadata !== 'object') s.template.metadata = {};
  if (!s.template.metadata.labels || typeof s.template.metadata.labels !== 'object') s.template.metadata.labels = {};
  const labels = s.template.metadata.labels;
  const name = String(job.metadata.name ?? '');
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
  if (!s.selector || typeof s.selector !== 'object') s.selector = {};
  if (!s.selector.matchLabels || typeof s.selector.matchLabels !== 'object') s.selector.matchLabels = {};
  if (!(CONTROLLER_UID_LABEL in s.selector.matchLabels)) s.selector.matchLabels[CONTROLLER_UID_LABEL] = uid;
}

/** Rules of a JobSpec common to Jobs and CronJob job templates (upstream validateJobSpec). */
export function validateJobSpecCommon(s: any, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    if (typeof s[f] === 'number') errs.push(...validateNonnegativeField(s[f], path.child(f)));
  }
  if (isSet(s.completionMode)) {
    if (s.completionMode !== 'NonIndexed' && s.completionMode !== 'Indexed') {
      errs.push(notSupported(path.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (s.completionMode === 'Indexed' && !isSet(s.completions)) {
      errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
    }
  }
  if (isSet(s.podReplacementPolicy) && !['TerminatingOrFailed', 'Failed'].includes(s.podReplacementPolicy)) {
    errs.push(notSupported(path.child('podReplacementPolicy'), s.podReplacementPolicy, ['TerminatingOrFailed', 'Failed']));
  }
  errs.push(...validatePodTemplateSpec(s.template, path.child('template')));
  const rp = s.template?.spec?.restartPolicy ?? '';
  const rpPath = path.child('template', 'spec', 'restartPolicy');
  if (rp === 'Always' || rp === '') errs.push(required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(rpPath, rp, ['OnFailure', 'Never']));
  return errs;
}

function validate(job: any): FieldError[] {
  const errs: FieldError[] = [];
  const s = job?.spec ?? {};
  const uid = job?.metadata?.uid;
  if (s.manualSelector !== true && uid) {
    const labels = s.template?.metadata?.labels ?? {};
    const lp = spec.child('template', 'metadata', 'labels');
    for (const [k, want] of [
      [LEGACY_CONTROLLER_UID_LABEL, uid],
      [LEGACY_JOB_NAME_LABEL, job?.metadata?.name ?? ''],
      [CONTROLLER_UID_LABEL, uid],
      [JOB_NAME_LABEL, job?.metadata?.name ?? ''],
    ] as const) {
      if (!(k in labels)) errs.push(required(lp.key(k)));
      else if (labels[k] !== want) errs.push(invalid(lp.key(k), labels[k], `must be '${want}'`));
    }
  }
  errs.push(...validateJobSpecCommon(s, spec));
  if (!s.selector) errs.push(required(spec.child('selector')));
  else errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  if (s.selector && !labelSelectorMatches(s.selector, s.template?.metadata?.labels ?? {})) {
    errs.push(invalid(spec.child('template', 'metadata', 'labels'), s.template?.metadata?.labels ?? {}, SELECTOR_MISMATCH));
  }
  if (s.completionMode === 'Indexed' && typeof s.completions === 'number' && s.completions > 0) {
    const host = `${job?.metadata?.name ?? ''}-${s.completions - 1}`;
    if (isDNS1123Label(host).length > 0) {
      errs.push(invalid(FieldPath.root('metadata', 'name'), job?.metadata?.name ?? '', `will not able to create pod with invalid DNS label: ${host}`));
    }
  }
  return errs;
}

function validateUpdate(job: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const n = job?.spec ?? {};
  const o = old?.spec ?? {};
  errs.push(...validateImmutableField(n.selector, o.selector, spec.child('selector')));
  const suspendedNotStarted = o.suspend === true && !old?.status?.startTime;
  if (!suspendedNotStarted) errs.push(...validateImmutableField(n.template, o.template, spec.child('template')));
  errs.push(...validateImmutableField(n.completionMode, o.completionMode, spec.child('completionMode')));
  if (n.completionMode !== 'Indexed') errs.push(...validateImmutableField(n.completions, o.completions, spec.child('completions')));
  errs.push(...validateImmutableField(n.podFailurePolicy, o.podFailurePolicy, spec.child('podFailurePolicy')));
  errs.push(...validateImmutableField(n.backoffLimitPerIndex, o.backoffLimitPerIndex, spec.child('backoffLimitPerIndex')));
  return errs;
}

export const jobStrategy: KindStrategy = { defaults, validate, validateUpdate };
