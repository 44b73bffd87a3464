/**
 * batch/v1 CronJob: defaults (Allow, suspend false, history limits 3/1) and validation (schedule
 * parsed like upstream, 52-character names, job template rules).
 */
import {
  FieldPath,
  invalid,
  notSupported,
  required,
  validateNonnegativeField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultPodTemplateSpec, defaultTemplateMetadata } from '../core/pod-spec-defaults.js';
import { validateJobSpecCommon } from './job.js';
import { CronError, isValidTimeZone, parseCronSchedule } from './cron-schedule.js';

const spec = FieldPath.root('spec');

function defaults(cj: any): void {
  if (!cj.spec || typeof cj.spec !== 'object') cj.spec = {};
  const s = cj.spec;
  if (!s.concurrencyPolicy) s.concurrencyPolicy = 'Allow';
  if (s.suspend === undefined || s.suspend === null) s.suspend = false;
  if (s.successfulJobsHistoryLimit === undefined || s.successfulJobsHistoryLimit === null) s.successfulJobsHistoryLimit = 3;
  if (s.failedJobsHistoryLimit === undefined || s.failedJobsHistoryLimit === null) s.failedJobsHistoryLimit = 1;
  if (!s.jobTemplate || typeof s.jobTemplate !== 'object') s.jobTemplate = {};
  defaultTemplateMetadata(s.jobTemplate);
  if (!s.jobTemplate.spec || typeof s.jobTemplate.spec !== 'object') s.jobTemplate.spec = {};
  if (!s.jobTemplate.spec.template || typeof s.jobTemplate.spec.template !== 'object') s.jobTemplate.spec.template = {};
  defaultPodTemplateSpec(s.jobTemplate.spec.template);
}

function validateSpec(s: any, oldSpec: any | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const sp = spec.child('schedule');
  if (!s.schedule) errs.push(required(sp));
  else {
    const sched = String(s.schedule);
    try {
      parseCronSchedule(sched);
    } catch (e) {
      if (!(e instanceof CronError)) throw e;
      errs.push(invalid(sp, sched, e.message));
    }
    const allowTZ = String(oldSpec?.schedule ?? '').includes('TZ');
    if (allowTZ && sched.includes('TZ') && s.timeZone) {
      errs.push(invalid(sp, sched, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && sched.includes('TZ')) {
      errs.push(invalid(sp, sched, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  if (typeof s.startingDeadlineSeconds === 'number') {
    errs.push(...validateNonnegativeField(s.startingDeadlineSeconds, spec.child('startingDeadlineSeconds')));
  }
  if (typeof s.timeZone === 'string' && (s.timeZone === '' || !isValidTimeZone(s.timeZone))) {
    errs.push(invalid(spec.child('timeZone'), s.timeZone, 'unknown time zone ' + s.timeZone));
  }
  const cp = s.concurrencyPolicy ?? '';
  if (cp === '') errs.push(required(spec.child('concurrencyPolicy')));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported(spec.child('concurrencyPolicy'), cp, ['Allow', 'Forbid', 'Replace']));
  const jt = s.jobTemplate ?? {};
  const jp = spec.child('jobTemplate', 'spec');
  errs.push(...validateJobSpecCommon(jt.spec ?? {}, jp));
  if (jt.spec?.selector) errs.push(invalid(jp.child('selector'), jt.spec.selector, '`selector` will be auto-generated'));
  if (jt.spec?.manualSelector === true) errs.push(notSupported(jp.child('manualSelector'), true, ['nil', 'false']));
  for (const f of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    if (typeof s[f] === 'number') errs.push(...validateNonnegativeField(s[f], spec.child(f)));
  }
  return errs;
}


export const cronJobStrategy: KindStrategy = {
  defaults,
  validate(cj: any): FieldError[] {
    const errs: FieldError[] = [];
    errs.push(...validateSpec(cj?.spec ?? {}, undefined));
    const name = String(cj?.metadata?.name ?? '');
    if (name.length > 52) errs.push(invalid(FieldPath.root('metadata', 'name'), name, 'must be no more than 52 characters'));
    return errs;
  },
  validateUpdate(cj: any, old: any) {
    return [];
  },
};
