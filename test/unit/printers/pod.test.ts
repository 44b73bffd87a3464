import { describe, expect, it } from 'vitest';
import { printerFor } from '../../../src/api/printers/index.js';
import { H, M, S, ago, headers, meta, row } from './helpers.js';

const pods = printerFor('', 'Pod');

const running = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  ready: true,
  started: true,
  restartCount: 0,
  state: { running: { startedAt: ago(4 * M) } },
  ...extra,
});

describe('Pod printer', () => {
  it('has upstream columns, wide ones at priority 1', () => {
    expect(headers(pods)).toEqual({
      normal: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
      wide: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    });
    expect(pods.columns[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name' });
    expect(pods.columns.find((c) => c.name === 'Restarts')?.type).toBe('string');
  });

  type Case = [string, unknown, Record<string, unknown>];
  const cases: Case[] = [
    [
      'running pod with restarts',
      {
        metadata: meta('web'),
        spec: { nodeName: 'node-1', containers: [{ name: 'app' }, { name: 'sidecar' }] },
        status: {
          phase: 'Running',
          podIP: '10.0.0.7',
          podIPs: [{ ip: '10.0.0.7' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            running('app', { restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * M) } } }),
            running('sidecar', { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * H) } } }),
          ],
        },
      },
      { Name: 'web', Ready: '2/2', Status: 'Running', Restarts: '5 (5m ago)', Age: '5m', IP: '10.0.0.7', Node: 'node-1' },
    ],
    [
      'CrashLoopBackOff',
      {
        metadata: meta('crashy'),
        spec: { containers: [{ name: 'app' }] },
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 4,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30 * S) } },
            },
          ],
        },
      },
      { Ready: '0/1', Status: 'CrashLoopBackOff', Restarts: '4 (30s ago)' },
    ],
    [
      'terminating',
      {
        metadata: meta('going', { deletionTimestamp: ago(10 * S) }),
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Running', containerStatuses: [running('app')] },
      },
      { Ready: '1/1', Status: 'Terminating', Restarts: '0' },
    ],
    [
      'terminating on a lost node',
      {
        metadata: meta('lost', { deletionTimestamp: ago(10 * S) }),
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('app')] },
      },
      { Status: 'Unknown' },
    ],
    [
      'deleted after completing stays Completed',
      {
        metadata: meta('done', { deletionTimestamp: ago(10 * S) }),
        spec: { containers: [{ name: 'app' }] },
        status: {
          phase: 'Succeeded',
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        },
      },
      { Ready: '0/1', Status: 'Completed' },
    ],
    [
      'first init container running',
      {
        metadata: meta('init'),
        spec: { initContainers: [{ name: 'setup' }], containers: [{ name: 'app' }] },
        status: {
          phase: 'Pending',
          initContainerStatuses: [{ name: 'setup', ready: false, restartCount: 0, state: { running: {} } }],
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
        },
      },
      { Ready: '0/1', Status: 'Init:0/1', Restarts: '0' },
    ],
    [
      'second of two init containers waiting on a pull error',
      {
        metadata: meta('init2'),
        spec: { initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'app' }] },
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } },
          ],
        },
      },
      { Status: 'Init:ImagePullBackOff' },
    ],
    [
      'failed init container',
      {
        metadata: meta('initfail'),
        spec: { initContainers: [{ name: 'a' }], containers: [{ name: 'app' }] },
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            {
              name: 'a',
              ready: false,
              restartCount: 2,
              state: { terminated: { exitCode: 3 } },
              lastState: { terminated: { exitCode: 3, finishedAt: ago(1 * M) } },
            },
          ],
        },
      },
      { Status: 'Init:ExitCode:3', Restarts: '2 (60s ago)' },
    ],
    [
      'sidecar init container counts towards READY',
      {
        metadata: meta('sidecar'),
        spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] },
        status: {
          phase: 'Running',
          conditions: [
            { type: 'Initialized', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
          initContainerStatuses: [running('proxy', { restartCount: 1 })],
          containerStatuses: [running('app')],
        },
      },
      { Ready: '2/2', Status: 'Running', Restarts: '1' },
    ],
    [
      'ContainerCreating',
      {
        metadata: meta('new'),
        spec: { nodeName: 'node-1', containers: [{ name: 'app' }] },
        status: {
          phase: 'Pending',
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
        },
      },
      { Ready: '0/1', Status: 'ContainerCreating', IP: '<none>', Node: 'node-1' },
    ],
    [
      'pending and unscheduled',
      { metadata: meta('pending'), spec: { containers: [{ name: 'app' }] }, status: { phase: 'Pending' } },
      { Ready: '0/1', Status: 'Pending', Node: '<none>', 'Nominated Node': '<none>', 'Readiness Gates': '<none>' },
    ],
    [
      'scheduling gated',
      {
        metadata: meta('gated'),
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
      },
      { Status: 'SchedulingGated' },
    ],
    [
      'evicted (status.reason wins over phase)',
      {
        metadata: meta('evicted'),
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Failed', reason: 'Evicted' },
      },
      { Status: 'Evicted' },
    ],
    [
      'container terminated by signal without reason',
      {
        metadata: meta('sig'),
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Failed', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
      },
      { Status: 'Signal:9' },
    ],
    [
      'one container completed, another still running and ready',
      {
        metadata: meta('mixed'),
        spec: { containers: [{ name: 'job' }, { name: 'server' }] },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [
            { name: 'job', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            running('server'),
          ],
        },
      },
      { Ready: '1/2', Status: 'NotReady' },
    ],
    [
      'readiness gates and nominated node',
      {
        metadata: meta('gates'),
        spec: { containers: [{ name: 'app' }], readinessGates: [{ conditionType: 'lb/ready' }, { conditionType: 'x/ok' }] },
        status: {
          phase: 'Running',
          nominatedNodeName: 'node-9',
          conditions: [
            { type: 'lb/ready', status: 'True' },
            { type: 'x/ok', status: 'False' },
          ],
          containerStatuses: [running('app')],
        },
      },
      { 'Nominated Node': 'node-9', 'Readiness Gates': '1/2' },
    ],
  ];

  it.each(cases)('%s', (_title, pod, want) => {
    expect(row(pods, pod)).toMatchObject(want);
  });

  it('produces one cell per column', () => {
    for (const [, pod] of cases) expect(pods.cells(pod, new Date())).toHaveLength(pods.columns.length);
  });
});
