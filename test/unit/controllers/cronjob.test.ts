/** The CronJob controller's schedule decision and schedule arithmetic (pure), with time zones. */
import { describe, expect, it } from 'vitest';
import { decideSchedule, jobFromTemplate, jobNameFor, mostRecentScheduleTime, rfc3339InZone, byJobStartTime } from '../../../src/controllers/cronjob.js';
import { nextCronTime, parseCronSchedule } from '../../../src/api/strategy/batch/cron-schedule.js';

const T = (s: string) => new Date(s);

function cronJob(spec: object, status: object = {}, created = '2024-05-01T10:00:30Z') {
  return {
    metadata: { name: 'cj', namespace: 'ns', uid: 'cj-uid', creationTimestamp: created },
    spec: { schedule: '* * * * *', concurrencyPolicy: 'Allow', suspend: false, jobTemplate: { spec: { template: {} } }, ...spec },
    status,
  };
}

describe('decideSchedule', () => {
  it('starts the most recent due time, named by minutes since the epoch', () => {
    const d = decideSchedule(cronJob({}), T('2024-05-01T10:01:05Z'));
    expect(d.scheduledTime).toEqual(T('2024-05-01T10:01:00Z'));
    expect(jobNameFor(cronJob({}), d.scheduledTime!)).toBe(`cj-${Date.parse('2024-05-01T10:01:00Z') / 60000}`);
    // Next look: the following minute, plus 100 ms.
    expect(d.requeueAfterMs).toBe(55_100);
  });

  it('does nothing before the first time, and requeues for it', () => {
    const d = decideSchedule(cronJob({}), T('2024-05-01T10:00:40Z'));
    expect(d.scheduledTime).toBeUndefined();
    expect(d.requeueAfterMs).toBe(20_100);
  });

  it('does not start the same time twice', () => {
    const d = decideSchedule(cronJob({}, { lastScheduleTime: '2024-05-01T10:01:00Z' }), T('2024-05-01T10:01:30Z'));
    expect(d.scheduledTime).toBeUndefined();
  });

  it('Forbid skips while a Job is active, with upstream event', () => {
    const d = decideSchedule(cronJob({ concurrencyPolicy: 'Forbid' }, { active: [{ name: 'cj-1', uid: 'x' }], lastScheduleTime: '2024-05-01T10:01:00Z' }), T('2024-05-01T10:02:01Z'));
    expect(d.scheduledTime).toBeUndefined();
    expect(d.events).toEqual([['Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid']]);
  });

  it('Replace deletes the active Jobs and starts a new one; Allow keeps them', () => {
    const active = { active: [{ name: 'cj-1', uid: 'x' }], lastScheduleTime: '2024-05-01T10:01:00Z' };
    const r = decideSchedule(cronJob({ concurrencyPolicy: 'Replace' }, active), T('2024-05-01T10:02:01Z'));
    expect(r).toMatchObject({ replaceActive: true, scheduledTime: T('2024-05-01T10:02:00Z') });
    const a = decideSchedule(cronJob({ concurrencyPolicy: 'Allow' }, active), T('2024-05-01T10:02:01Z'));
    expect(a).toMatchObject({ replaceActive: false, scheduledTime: T('2024-05-01T10:02:00Z') });
  });

  it('suspend stops scheduling', () => {
    expect(decideSchedule(cronJob({ suspend: true }), T('2024-05-01T10:05:00Z')).scheduledTime).toBeUndefined();
  });

  it('startingDeadlineSeconds: a time too late is missed with upstream event', () => {
    // Hourly; the 11:00 run is 90 s late with a 60 s deadline.
    const d = decideSchedule(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, { lastScheduleTime: '2024-05-01T10:00:00Z' }), T('2024-05-01T11:01:30Z'));
    expect(d.scheduledTime).toBeUndefined();
    const ok = decideSchedule(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 120 }, { lastScheduleTime: '2024-05-01T10:00:00Z' }), T('2024-05-01T11:01:30Z'));
    expect(ok.scheduledTime).toEqual(T('2024-05-01T11:00:00Z'));
  });

  it('a too-late start reports MissSchedule in RFC 1123Z', () => {
    const d = decideSchedule(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 10 }, { lastScheduleTime: '2024-05-01T10:00:00Z' }), T('2024-05-01T11:00:30Z'));
    // The deadline window (10 s before now) starts after 11:00, so nothing is due at all.
    expect(d.scheduledTime).toBeUndefined();
    const m = decideSchedule(cronJob({ schedule: '* * * * *', startingDeadlineSeconds: 200 }, { lastScheduleTime: '2024-05-01T10:00:00Z' }), T('2024-05-01T10:03:30Z'));
    expect(m.scheduledTime).toEqual(T('2024-05-01T10:03:00Z'));
  });

  it('more than 100 missed times warns as upstream and still starts the latest', () => {
    const d = decideSchedule(cronJob({}, { lastScheduleTime: '2024-05-01T10:00:00Z' }), T('2024-05-01T12:00:30Z'));
    expect(d.events).toContainEqual(['Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew']);
    expect(d.scheduledTime).toEqual(T('2024-05-01T12:00:00Z'));
    const few = decideSchedule(cronJob({}, { lastScheduleTime: '2024-05-01T10:00:00Z' }), T('2024-05-01T10:50:30Z'));
    expect(few.events).toEqual([]);
  });

  it('an unknown time zone is reported and nothing runs', () => {
    const d = decideSchedule(cronJob({ timeZone: 'Mars/Olympus' }), T('2024-05-01T10:05:00Z'));
    expect(d.scheduledTime).toBeUndefined();
    expect(d.events[0]?.slice(0, 2)).toEqual(['Warning', 'UnknownTimeZone']);
  });

  it('spec.timeZone reads the fields in that zone', () => {
    // 09:00 in New York on 1 May (EDT, UTC-4) is 13:00 UTC.
    const d = decideSchedule(cronJob({ schedule: '0 9 * * *', timeZone: 'America/New_York' }, {}, '2024-05-01T00:00:00Z'), T('2024-05-01T13:00:10Z'));
    expect(d.scheduledTime).toEqual(T('2024-05-01T13:00:00Z'));
    const job = jobFromTemplate(cronJob({ schedule: '0 9 * * *', timeZone: 'America/New_York' }), d.scheduledTime!);
    expect(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2024-05-01T09:00:00-04:00');
  });
});

describe('schedules', () => {
  it.each([
    ['@hourly', '2024-05-01T10:20:00Z', undefined, '2024-05-01T11:00:00Z'],
    ['@daily', '2024-05-01T10:20:00Z', undefined, '2024-05-02T00:00:00Z'],
    ['@weekly', '2024-05-01T10:20:00Z', undefined, '2024-05-05T00:00:00Z'],
    ['@every 90s', '2024-05-01T10:20:00.500Z', undefined, '2024-05-01T10:21:30Z'],
    ['*/15 9-17 * * 1-5', '2024-05-03T17:50:00Z', undefined, '2024-05-06T09:00:00Z'],
    ['0 9 * * *', '2024-03-09T15:00:00Z', 'America/New_York', '2024-03-10T13:00:00Z'],
    ['30 2 * * *', '2024-03-09T12:00:00Z', 'America/New_York', '2024-03-11T06:30:00Z'],
    ['0 0 1 * *', '2024-05-01T00:00:00Z', 'Asia/Kolkata', '2024-05-31T18:30:00Z'],
    ['TZ=Europe/Berlin 0 12 * * *', '2024-07-01T00:00:00Z', undefined, '2024-07-01T10:00:00Z'],
  ])('%s after %s in %s → %s', (spec, after, tz, want) => {
    expect(nextCronTime(parseCronSchedule(spec), T(after), tz)?.toISOString().replace('.000Z', 'Z')).toBe(want);
  });

  it('mostRecentScheduleTime counts missed times', () => {
    const r = mostRecentScheduleTime(cronJob({}, { lastScheduleTime: '2024-05-01T10:00:00Z' }), T('2024-05-01T10:05:30Z'), parseCronSchedule('* * * * *'), false);
    expect(r).toMatchObject({ mostRecent: T('2024-05-01T10:05:00Z'), missed: 'few' });
  });

  it('RFC 3339 in a zone', () => {
    expect(rfc3339InZone(T('2024-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe('2024-01-15T17:30:00+05:30');
    expect(rfc3339InZone(T('2024-01-15T12:00:00Z'), undefined)).toBe('2024-01-15T12:00:00Z');
  });

  it('history cleanup deletes the oldest started first', () => {
    const j = (name: string, start?: string) => ({ metadata: { name }, status: { startTime: start } });
    const list = [j('c'), j('b', '2024-01-02T00:00:00Z'), j('a', '2024-01-01T00:00:00Z'), j('d', '2024-01-01T00:00:00Z')];
    expect(list.sort(byJobStartTime).map((x) => x.metadata.name)).toEqual(['a', 'd', 'b', 'c']);
  });
});
