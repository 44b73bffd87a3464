import { describe, expect, it } from 'vitest';
import { printerFor } from '../../../src/api/printers/index.js';
import { H, M, NOW, S, ago, headers, meta, row } from './helpers.js';

const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };

describe('Deployment printer', () => {
  const p = printerFor('apps', 'Deployment');

  it('has upstream columns', () => {
    expect(headers(p)).toEqual({
      normal: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
  });

  it('prints a rolling deployment', () => {
    const d = {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 1, availableReplicas: 2 },
    };
    expect(p.cells(d, NOW)).toEqual(['web', '2/3', 1, 2, '5m', 'nginx,log', 'nginx:1.27,busybox', 'app=web']);
  });

  it('prints a fresh deployment with no status', () => {
    const d = { metadata: meta('new'), spec: { replicas: 0, selector: { matchLabels: { app: 'new' } }, template } };
    expect(row(p, d)).toMatchObject({ Ready: '0/0', 'Up-to-date': 0, Available: 0 });
  });

  it('marks an invalid selector', () => {
    const d = { metadata: meta('bad'), spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] }, template } };
    expect(row(p, d).Selector).toBe('<invalid>');
  });
});

describe('Job printer', () => {
  const p = printerFor('batch', 'Job');
  const base = { spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template } };

  it('has 1.32 columns (STATUS first)', () => {
    expect(headers(p)).toEqual({
      normal: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
      wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
  });

  it.each([
    [
      'complete',
      {
        ...base,
        metadata: meta('pi'),
        status: {
          succeeded: 1,
          startTime: ago(5 * M),
          completionTime: ago(5 * M - 42 * S),
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True' },
            { type: 'Complete', status: 'True' },
          ],
        },
      },
      { Name: 'pi', Status: 'Complete', Completions: '1/1', Duration: '42s', Age: '5m', Selector: 'batch.kubernetes.io/controller-uid=u1' },
    ],
    [
      'running',
      { ...base, metadata: meta('long'), spec: { ...base.spec, completions: 5 }, status: { active: 1, succeeded: 2, startTime: ago(3 * M + 4 * S) } },
      { Status: 'Running', Completions: '2/5', Duration: '3m4s' },
    ],
    ['not started', { ...base, metadata: meta('q'), status: {} }, { Status: 'Running', Completions: '0/1', Duration: '' }],
    [
      'failed',
      { ...base, metadata: meta('f'), status: { failed: 6, startTime: ago(H), conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } },
      { Status: 'Failed', Duration: '60m' },
    ],
    ['suspended', { ...base, metadata: meta('s'), status: { conditions: [{ type: 'Suspended', status: 'True' }] } }, { Status: 'Suspended' }],
    ['terminating', { ...base, metadata: meta('t', { deletionTimestamp: ago(S) }), status: {} }, { Status: 'Terminating' }],
    [
      'work queue',
      { metadata: meta('wq'), spec: { parallelism: 4, template }, status: { succeeded: 1 } },
      { Completions: '1/1 of 4', Selector: '<none>' },
    ],
  ])('%s', (_t, job, want) => {
    expect(row(p, job)).toMatchObject(want);
  });
});

describe('other workload kinds', () => {
  it.each([
    [
      'apps',
      'ReplicaSet',
      { metadata: meta('web-abc'), spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 3, readyReplicas: 3 } },
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      ['web-abc', 3, 3, 3, '5m', 'nginx,log', 'nginx:1.27,busybox', 'app=web'],
    ],
    [
      'apps',
      'StatefulSet',
      { metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 1 } },
      ['NAME', 'READY', 'AGE'],
      ['db', '1/3', '5m', 'nginx,log', 'nginx:1.27,busybox'],
    ],
    [
      'apps',
      'DaemonSet',
      {
        metadata: meta('agent'),
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
        status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
      },
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'a', 'agent:1', 'app=agent'],
    ],
    [
      'apps',
      'ControllerRevision',
      {
        metadata: meta('agent-5d8', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }),
        revision: 2,
      },
      ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
      ['agent-5d8', 'daemonset.apps/agent', 2, '5m'],
    ],
    [
      'batch',
      'CronJob',
      {
        metadata: meta('nightly'),
        spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } },
        status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago(9 * H) },
      },
      ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
      ['nightly', '0 3 * * *', '<none>', 'False', 1, '9h', '5m', 'nginx,log', 'nginx:1.27,busybox', '<none>'],
    ],
    [
      'autoscaling',
      'HorizontalPodAutoscaler',
      {
        apiVersion: 'autoscaling/v2',
        metadata: meta('web'),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 2,
          maxReplicas: 10,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
            { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          ],
        },
        status: {
          currentReplicas: 3,
          currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 37, averageValue: '120m' } } }],
        },
      },
      ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
      ['web', 'Deployment/web', 'cpu: 37%/50%, memory: <unknown>/500Mi + 1 more...', '2', 10, 3, '5m'],
    ],
  ])('%s %s', (group, kind, obj, normal, cells) => {
    const p = printerFor(group, kind);
    expect(headers(p).normal).toEqual(normal);
    expect(p.cells(obj, NOW)).toEqual(cells);
  });

  it.each([
    ['v1 with a CPU target', { targetCPUUtilizationPercentage: 80 }, { currentCPUUtilizationPercentage: 12 }, 'cpu: 12%/80%'],
    ['v1 without current metrics', { targetCPUUtilizationPercentage: 60 }, {}, 'cpu: <unknown>/60%'],
    ['v1 without a target (API default)', {}, {}, 'cpu: <unknown>/80%'],
  ])('HorizontalPodAutoscaler %s', (_t, spec, status, targets) => {
    const hpa = {
      apiVersion: 'autoscaling/v1',
      metadata: meta('h'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec },
      status: { currentReplicas: 1, ...status },
    };
    expect(row(printerFor('autoscaling', 'HorizontalPodAutoscaler'), hpa)).toMatchObject({ Targets: targets, MinPods: '1' });
  });
});
