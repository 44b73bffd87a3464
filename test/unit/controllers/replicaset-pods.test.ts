import { describe, expect, it } from 'vitest';
import { ControllerExpectations } from '../../../src/controllers/controller-expectations.js';
import { calculateStatus } from '../../../src/controllers/replicaset.js';
import { isPodAvailable } from '../../../src/controllers/pod-readiness.js';
import { podsToDelete, slowStartBatch } from '../../../src/controllers/replicaset-pods.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

interface PodOpts { node?: string; phase?: string; ready?: boolean; readySince?: number; restarts?: number; created?: number; cost?: string; uid?: string }
function pod(name: string, o: PodOpts = {}) {
  return {
    metadata: {
      name, namespace: 'ns', uid: o.uid ?? name, creationTimestamp: ago(o.created ?? 1000),
      annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined,
      labels: { app: 'x' },
    },
    spec: { nodeName: o.node ?? 'n1' },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: (o.ready ?? true) ? 'True' : 'False', lastTransitionTime: ago(o.readySince ?? 1000) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('which pods a ReplicaSet deletes first', () => {
  it.each([
    ['unscheduled before scheduled', pod('a', { node: '' }), pod('b')],
    ['Pending before Running', pod('a', { phase: 'Pending' }), pod('b')],
    ['Unknown before Running', pod('a', { phase: 'Unknown' }), pod('b')],
    ['Pending before Unknown', pod('a', { phase: 'Pending' }), pod('b', { phase: 'Unknown' })],
    ['not ready before ready', pod('a', { ready: false }), pod('b')],
    ['lower deletion cost first', pod('a', { cost: '-5' }), pod('b', { cost: '10' })],
    ['ready for less time first (different log2 buckets)', pod('a', { readySince: 10 }), pod('b', { readySince: 10_000 })],
    ['more restarts first', pod('a', { restarts: 5 }), pod('b', { restarts: 1 })],
    ['newer first (different log2 buckets)', pod('a', { created: 10 }), pod('b', { created: 10_000 })],
    ['same log2 bucket: lower uid first', pod('z', { created: 1000, uid: 'a' }), pod('y', { created: 1001, uid: 'b' })],
  ])('%s', (_what, first, second) => {
    expect(podsToDelete([second, first], [], 1, NOW).map((p) => p.metadata.name)).toEqual([first.metadata.name]);
    expect(podsToDelete([first, second], [], 1, NOW).map((p) => p.metadata.name)).toEqual([first.metadata.name]);
  });
  it('pods doubled up with related pods on one node go first', () => {
    const a = pod('a', { node: 'busy' });
    const b = pod('b', { node: 'quiet' });
    const related = [a, pod('r1', { node: 'busy' }), pod('r2', { node: 'busy' }), b];
    expect(podsToDelete([b, a], related, 1, NOW).map((p) => p.metadata.name)).toEqual(['a']);
  });
  it('the phase outranks readiness and restarts', () => {
    const pods = [pod('running-restarts', { restarts: 9 }), pod('pending', { phase: 'Pending', ready: false }), pod('unscheduled', { node: '', phase: 'Pending', ready: false }), pod('notready', { ready: false })];
    expect(podsToDelete(pods, [], 3, NOW).map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending', 'notready']);
  });
});

describe('slow start', () => {
  it('creates in batches of 1, 2, 4, … and stops after a failing batch', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      inFlight++;
      await new Promise((res) => setImmediate(res));
      if (inFlight > 0) batches.push(inFlight);
      inFlight = 0;
    });
    expect(r).toEqual({ successes: 10 });
    expect(calls).toBe(10);
    expect(batches).toEqual([1, 2, 4, 3]);
    let n = 0;
    const failing = await slowStartBatch(10, 1, async () => {
      n++;
      if (n === 3) throw new Error('quota');
    });
    expect(failing.successes).toBe(2);
    expect(n).toBe(3);
    expect(String(failing.error)).toContain('quota');
  });
});

describe('expectations', () => {
  it('are satisfied once every create and delete was observed, or after they expire', () => {
    let now = 0;
    const e = new ControllerExpectations(() => now, 1000);
    expect(e.satisfied('k')).toBe(true);
    e.expectCreations('k', 2);
    expect(e.satisfied('k')).toBe(false);
    e.creationObserved('k');
    e.creationObserved('k');
    expect(e.satisfied('k')).toBe(true);
    e.expectDeletions('k', ['ns/a', 'ns/b']);
    e.deletionObserved('k', 'ns/a');
    e.deletionObserved('k', 'ns/a');
    expect(e.satisfied('k')).toBe(false);
    now = 2000;
    expect(e.satisfied('k')).toBe(true);
  });
});

describe('ReplicaSet status', () => {
  it('counts fully labelled, ready and available (after minReadySeconds) pods, and records a failure', () => {
    const set = { metadata: { generation: 2 }, spec: { replicas: 4, minReadySeconds: 30, template: { metadata: { labels: { app: 'x', tier: 'web' } } } }, status: {} };
    const pods = [pod('a', { readySince: 100 }), pod('b', { readySince: 5 }), pod('c', { ready: false })];
    pods[0].metadata.labels = { app: 'x', tier: 'web' } as never;
    const s = calculateStatus(set, pods, new Error('exceeded quota'), NOW);
    expect(s).toMatchObject({ replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1 });
    expect(s.conditions).toEqual([expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' })]);
    expect(calculateStatus({ ...set, status: s }, pods, undefined, NOW).conditions).toBeUndefined();
    expect(isPodAvailable(pods[1], 30, NOW)).toBe(false);
    expect(isPodAvailable(pods[1], 0, NOW)).toBe(true);
  });
});
