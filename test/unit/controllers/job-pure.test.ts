/** Pure pieces of the Job controller: index ranges, back-off, pod failure policy, pod template, removal order. */
import { describe, expect, it } from 'vitest';
import { OrderedIntervals, firstPendingIndexes } from '../../../src/controllers/job/indexes.js';
import { BackoffStore, remainingBackoff } from '../../../src/controllers/job/backoff.js';
import { matchPodFailurePolicy } from '../../../src/controllers/job/failure-policy.js';
import { activePodsForRemoval, isPodFailed, podFromTemplate, podGenerateNameWithIndex } from '../../../src/controllers/job/pods.js';
import { timeLeft } from '../../../src/controllers/job/ttl-after-finished.js';

describe('OrderedIntervals', () => {
  it.each([
    ['', 5, [], ''],
    ['0-2,4', 5, [], '0-2,4'],
    ['0,1,2', 5, [], '0-2'],
    ['1,3', 5, [2], '1-3'],
    ['', 5, [4, 0, 2], '0,2,4'],
    ['0-9', 5, [], '0-4'],
    ['x,2', 5, [], '2'],
    ['5-7', 10, [0, 8, 4], '0,4-8'],
  ])('parse(%j, %i).with(%j) → %j', (s, completions, add, want) => {
    const iv = OrderedIntervals.parse(s, completions).with(add);
    expect(iv.toString()).toBe(want);
  });

  it('counts and finds indexes', () => {
    const iv = OrderedIntervals.parse('0-2,4', 10);
    expect(iv.total()).toBe(4);
    expect([0, 2, 3, 4, 5].map((i) => iv.has(i))).toEqual([true, true, false, true, false]);
  });

  it('firstPendingIndexes skips succeeded, active and failed indexes', () => {
    expect(firstPendingIndexes(3, 8, OrderedIntervals.parse('0-1', 8), new Set([3]), OrderedIntervals.parse('4', 8))).toEqual([2, 5, 6]);
    expect(firstPendingIndexes(5, 3, OrderedIntervals.parse('1', 3), new Set(), undefined)).toEqual([0, 2]);
  });
});

describe('failure back-off', () => {
  it.each([
    [0, 0, 0],
    [1, 0, 10_000],
    [2, 0, 20_000],
    [3, 5_000, 35_000],
    [7, 0, 600_000],
    [20, 0, 600_000],
    [1, 11_000, 0],
  ])('%i failures, %i ms ago → wait %i ms', (failures, ago, want) => {
    expect(remainingBackoff(1_000_000, 10_000, 600_000, failures, 1_000_000 - ago)).toBe(want);
  });

  it('a success resets the count; failures after it count again', () => {
    const store = new BackoffStore();
    const failedAt = (s: number) => ({ status: { phase: 'Failed', containerStatuses: [{ state: { terminated: { finishedAt: new Date(s * 1000).toISOString() } } }] } });
    const succeededAt = (s: number) => ({ status: { phase: 'Succeeded', containerStatuses: [{ state: { terminated: { finishedAt: new Date(s * 1000).toISOString() } } }] } });
    let r = store.next('k', [], [failedAt(10), failedAt(20)], 0);
    expect(r).toEqual({ failuresAfterLastSuccess: 2, lastFailureTime: 20_000 });
    store.update('k', r);
    r = store.next('k', [succeededAt(30)], [failedAt(25), failedAt(40)], 0);
    expect(r).toEqual({ failuresAfterLastSuccess: 1, lastFailureTime: 40_000 });
  });
});

describe('podFailurePolicy', () => {
  const pod = (exitCode: number, conditions: object[] = []) => ({
    metadata: { name: 'p', namespace: 'ns' },
    status: { phase: 'Failed', conditions, containerStatuses: [{ name: 'main', state: { terminated: { exitCode } } }] },
  });
  const policy = { rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ] };
  it.each([
    ['no policy', undefined, pod(42), { countFailed: true }],
    ['FailJob on exit code', policy, pod(42), { countFailed: true, action: 'FailJob', failJobMessage: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1' }],
    ['Ignore on a condition', policy, pod(42, [{ type: 'DisruptionTarget', status: 'True' }]), { countFailed: false, action: 'Ignore' }],
    ['Count on NotIn', policy, pod(7), { countFailed: true, action: 'Count' }],
    ['no rule matches', policy, pod(1), { countFailed: true }],
  ])('%s', (_name, pol, p, want) => {
    expect(matchPodFailurePolicy(pol, p)).toEqual(want);
  });

  it('FailJob on a pod condition names the condition', () => {
    const pol = { rules: [{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] }] };
    expect(matchPodFailurePolicy(pol, pod(1, [{ type: 'ConfigIssue', status: 'True' }])).failJobMessage).toBe('Pod ns/p has condition ConfigIssue matching FailJob rule at index 0');
  });
});

describe('pods of a Job', () => {
  const job = {
    metadata: { name: 'work', namespace: 'ns', uid: 'u1' },
    spec: { completionMode: 'Indexed', completions: 3, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };

  it('an Indexed pod carries its index, hostname, env and the tracking finalizer', () => {
    const p = podFromTemplate(job, { index: 2 });
    expect(p.metadata).toMatchObject({
      generateName: 'work-2-', finalizers: ['batch.kubernetes.io/job-tracking'],
      labels: { a: 'b', 'batch.kubernetes.io/job-completion-index': '2' },
      annotations: { 'batch.kubernetes.io/job-completion-index': '2' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'work', uid: 'u1', controller: true, blockOwnerDeletion: true }],
    });
    expect(p.spec.hostname).toBe('work-2');
    expect(p.spec.containers[0].env[0].name).toBe('JOB_COMPLETION_INDEX');
    // The Job's template is untouched.
    expect((job.spec.template.spec.containers[0] as { env?: unknown }).env).toBeUndefined();
  });

  it('long names are cut so the generated name stays a DNS label', () => {
    expect(podGenerateNameWithIndex('x'.repeat(63), 12)).toBe(`${'x'.repeat(54)}-12-`);
  });

  it('removes out-of-range and duplicate indexes first, then unscheduled before running', () => {
    const p = (name: string, ix: string, extra: object = {}) => ({ metadata: { name, annotations: { 'batch.kubernetes.io/job-completion-index': ix } }, ...extra });
    const pods = [
      p('a', '0', { spec: { nodeName: 'n' }, status: { phase: 'Running' } }),
      p('b', '0', { spec: {}, status: { phase: 'Pending' } }),
      p('c', '5'),
      p('d', '1', { spec: { nodeName: 'n' }, status: { phase: 'Running' } }),
    ];
    expect(activePodsForRemoval(job, pods, 0).map((x) => x.metadata.name).sort()).toEqual(['b', 'c']);
    const nonIndexed = { ...job, spec: { ...job.spec, completionMode: 'NonIndexed' } };
    expect(activePodsForRemoval(nonIndexed, pods, 2).map((x) => x.metadata.name).sort()).toEqual(['b', 'c']);
  });

  it('deleted pods count as failed unless podReplacementPolicy is Failed or a failure policy is set', () => {
    const deleted = { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' }, status: { phase: 'Running' } };
    expect(isPodFailed(deleted, { spec: {} })).toBe(true);
    expect(isPodFailed(deleted, { spec: { podReplacementPolicy: 'Failed' } })).toBe(false);
    expect(isPodFailed(deleted, { spec: { podFailurePolicy: { rules: [] } } })).toBe(false);
  });
});

describe('ttlSecondsAfterFinished', () => {
  const finished = (ttl?: number) => ({
    metadata: {}, spec: { ttlSecondsAfterFinished: ttl },
    status: { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  });
  it('counts from the finishing condition', () => {
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    expect(timeLeft(finished(100), t0 + 30_000)).toBe(70_000);
    expect(timeLeft(finished(0), t0 + 1)).toBe(-1);
    expect(timeLeft(finished(undefined), t0)).toBeUndefined();
    expect(timeLeft({ spec: { ttlSecondsAfterFinished: 5 }, status: {} }, t0)).toBeUndefined();
  });
});
