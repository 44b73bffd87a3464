import { describe, expect, it } from 'vitest';
import { prepareJobForCreate } from '../../../src/api/strategy/index.js';
import { nextCronTime, parseCronSchedule } from '../../../src/api/strategy/batch/cron-schedule.js';
import { createErrors, defaulted, updateErrors } from './helpers.js';

const job = (spec: any) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' }, spec });
const podTpl = (restartPolicy?: string) => ({
  spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'c', image: 'busybox:1' }] },
});

describe('Job', () => {
  it('defaults and generates selector and labels from the uid', () => {
    const j = defaulted('batch', 'Job', job({ template: podTpl('Never') }));
    prepareJobForCreate(j, 'uid-1');
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } },
    });
    expect(j.spec.template.metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': 'uid-1',
      'batch.kubernetes.io/job-name': 'j',
      'controller-uid': 'uid-1',
      'job-name': 'j',
    });
    expect(j.metadata.uid).toBe('uid-1');
    expect(createErrors('batch', 'Job', j)).toEqual([]);
  });

  it('only defaults parallelism when completions is set', () => {
    const j = defaulted('batch', 'Job', job({ completions: 5, template: podTpl('Never') }));
    expect([j.spec.completions, j.spec.parallelism]).toEqual([5, 1]);
  });

  it.each<[string, string | undefined, string]>([
    ['Always', 'Always', 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ['unset', undefined, 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ['bogus', 'Bogus', 'spec.template.spec.restartPolicy: Unsupported value: "Bogus": supported values: "Always", "OnFailure", "Never"'],
  ])('rejects restartPolicy %s', (_n, rp, want) => {
    const j = defaulted('batch', 'Job', job({ template: podTpl(rp) }));
    prepareJobForCreate(j, 'u');
    expect(createErrors('batch', 'Job', j)).toContain(want);
  });

  it('requires a selector with manualSelector', () => {
    const j = defaulted('batch', 'Job', job({ manualSelector: true, template: podTpl('Never') }));
    prepareJobForCreate(j, 'u');
    expect(createErrors('batch', 'Job', j)).toEqual(['spec.selector: Required value']);
  });

  it('keeps the template immutable', () => {
    const old = defaulted('batch', 'Job', job({ template: podTpl('Never') }));
    prepareJobForCreate(old, 'u');
    const n = structuredClone(old);
    n.spec.template.spec.containers[0].image = 'busybox:2';
    const errs = updateErrors('batch', 'Job', n, old);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^spec\.template: Invalid value: .*: field is immutable$/);
  });
});

describe('CronJob', () => {
  const cj = (spec: any, name = 'cj') => ({ metadata: { name, namespace: 'default' }, spec });
  const jobTemplate = { spec: { template: podTpl('OnFailure') } };

  it('defaults', () => {
    expect(defaulted('batch', 'CronJob', cj({ schedule: '* * * * *', jobTemplate })).spec).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
  });

  it.each<[string, string[]]>([
    ['*/5 * * * *', []],
    ['@hourly', []],
    ['0 0 * * mon-fri', []],
    ['bad', ['spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]']],
    ['61 * * * *', ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']],
    ['x * * * *', ['spec.schedule: Invalid value: "x * * * *": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax']],
    ['@sometimes', ['spec.schedule: Invalid value: "@sometimes": unrecognized descriptor: @sometimes']],
    [
      'TZ=UTC * * * * *',
      ['spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    ],
  ])('schedule %j', (schedule, want) => {
    expect(createErrors('batch', 'CronJob', cj({ schedule, jobTemplate }))).toEqual(want);
  });

  it('requires a schedule and limits the name', () => {
    expect(createErrors('batch', 'CronJob', cj({ jobTemplate }, 'x'.repeat(53)))).toEqual([
      'spec.schedule: Required value',
      `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
    ]);
  });

  it('computes the next run', () => {
    const s = parseCronSchedule('30 2 * * *');
    expect(nextCronTime(s, new Date('2024-05-01T03:00:00Z'))?.toISOString()).toBe('2024-05-02T02:30:00.000Z');
    expect(nextCronTime(parseCronSchedule('*/15 * * * *'), new Date('2024-05-01T03:07:10Z'))?.toISOString()).toBe(
      '2024-05-01T03:15:00.000Z',
    );
  });
});
