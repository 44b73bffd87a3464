import { describe, expect, it } from 'vitest';
import { computeHash, fnv32a, safeEncodeString } from '../../../src/controllers/deployment/hash.js';
import {
  equalIgnoreHash, findActiveOrLatest, maxSurge, maxUnavailable, newRSNewReplicas, replicaSetProportion, resolveFenceposts,
  scaledValue, setCondition, setNewReplicaSetAnnotations,
} from '../../../src/controllers/deployment/util.js';

const deployment = (replicas: number, surge: number | string, unavailable: number | string, extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'd', generation: 1, annotations: {} as Record<string, string> },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, ...extra },
  status: {},
});
const rs = (name: string, replicas: number, annotations: Record<string, string> = {}, created = '2024-01-01T00:00:00Z') => ({
  metadata: { name, uid: name, creationTimestamp: created, annotations: { ...annotations } }, spec: { replicas }, status: {},
});

describe('pod-template-hash', () => {
  it('FNV-32a matches the reference vectors', () => {
    expect(fnv32a(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv32a(Buffer.from('a'))).toBe(0xe40c292c);
    expect(fnv32a(Buffer.from('foobar'))).toBe(0xbf9cf968);
  });
  it('SafeEncodeString maps decimal digits into the vowel-free alphabet', () => {
    expect(safeEncodeString('2166136261')).toBe('65bb57b6b5');
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });
  it('is stable, independent of key order and empty fields, and changes with the template and collisionCount', () => {
    const a = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const b = { spec: { containers: [{ image: 'nginx', name: 'c', env: [] }] }, metadata: { labels: { app: 'x' }, creationTimestamp: null } };
    expect(computeHash(a)).toBe(computeHash(b));
    expect(computeHash(a)).toMatch(/^[456789bcdf]{1,10}$/);
    expect(computeHash(a, 1)).not.toBe(computeHash(a));
    expect(computeHash(a, 1)).toBe(computeHash(a, 1));
    expect(computeHash({ ...a, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } })).not.toBe(computeHash(a));
  });
  it('equalIgnoreHash ignores only the pod-template-hash label', () => {
    const t = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    expect(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } } })).toBe(true);
    expect(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'y' } } })).toBe(false);
  });
});

describe('maxSurge / maxUnavailable', () => {
  it.each([
    // [value, total, roundUp, expected]
    ['25%', 10, true, 3], ['25%', 10, false, 2], ['25%', 1, true, 1], ['25%', 1, false, 0],
    ['50%', 3, true, 2], ['50%', 3, false, 1], ['100%', 7, false, 7], ['0%', 5, true, 0], [2, 10, true, 2], [0, 10, false, 0],
  ] as const)('scaledValue(%s of %i, roundUp=%s) = %i', (v, total, up, want) => {
    expect(scaledValue(v, total, up)).toBe(want);
  });
  it('rejects strings that are not percentages', () => {
    expect(() => scaledValue('5', 10, true)).toThrow(/not a percentage/);
    expect(() => scaledValue('x%', 10, true)).toThrow(/invalid value "x%"/);
  });
  it('both fenceposts resolving to zero makes maxUnavailable 1', () => {
    expect(resolveFenceposts('10%', '10%', 3)).toEqual([1, 0]);
    expect(resolveFenceposts(0, '10%', 3)).toEqual([0, 1]);
    expect(resolveFenceposts('25%', '25%', 4)).toEqual([1, 1]);
  });
  it('maxUnavailable is capped by replicas and zero for Recreate or no replicas', () => {
    expect(maxUnavailable(deployment(3, 0, 5))).toBe(3);
    expect(maxUnavailable(deployment(0, 1, 1))).toBe(0);
    expect(maxUnavailable({ spec: { replicas: 3, strategy: { type: 'Recreate' } } })).toBe(0);
    expect(maxSurge(deployment(10, '25%', '25%'))).toBe(3);
  });
  it('the new ReplicaSet grows within maxSurge', () => {
    const d = deployment(10, '25%', '25%');
    const old = rs('old', 10);
    const fresh = rs('new', 0);
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(3);
    expect(newRSNewReplicas(d, [rs('old', 5), rs('new', 8)], rs('new', 8))).toBe(8);
    expect(newRSNewReplicas(d, [rs('old', 0), rs('new', 8)], rs('new', 8))).toBe(10);
  });
});

describe('proportional scaling', () => {
  it('splits an increase by each set\'s share of the previous maximum (Go rounding)', () => {
    // 10 → 15 replicas with maxSurge 3: old max 13, new max 18.
    const d = deployment(15, 3, 0);
    const a = rs('a', 8, { 'deployment.kubernetes.io/max-replicas': '13' });
    const b = rs('b', 5, { 'deployment.kubernetes.io/max-replicas': '13' });
    const pa = replicaSetProportion(a, d, 5, 0);
    const pb = replicaSetProportion(b, d, 5, pa);
    expect([pa, pb]).toEqual([3, 2]);
    // scaling down to zero takes whole sets
    expect(replicaSetProportion(a, deployment(0, 3, 0), -13, 0)).toBe(-8);
  });
  it('findActiveOrLatest: the only active set, the newest when none is active, none when several are', () => {
    const old1 = rs('o1', 0, {}, '2024-01-01T00:00:00Z');
    const old2 = rs('o2', 0, {}, '2024-01-02T00:00:00Z');
    expect(findActiveOrLatest(undefined, [old1, old2])?.metadata.name).toBe('o2');
    expect(findActiveOrLatest(rs('n', 0), [old1])?.metadata.name).toBe('n');
    expect(findActiveOrLatest(rs('n', 2), [old1])?.metadata.name).toBe('n');
    expect(findActiveOrLatest(rs('n', 2), [rs('o', 1)])).toBeUndefined();
  });
});

describe('revision annotations', () => {
  it('a set rolled back to keeps its old revisions in revision-history', () => {
    const d = deployment(3, 1, 1);
    d.metadata.annotations = { 'kubernetes.io/change-cause': 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    const s = rs('s', 3, { 'deployment.kubernetes.io/revision': '1' });
    expect(setNewReplicaSetAnnotations(d, s, 3, true)).toBe(true);
    expect(s.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'x',
    });
    setNewReplicaSetAnnotations(d, s, 5, true);
    expect(s.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1,3');
    expect(setNewReplicaSetAnnotations(d, s, 4, true)).toBe(false);
  });
  it('a new set gets desired and max replicas', () => {
    const s = rs('s', 0);
    setNewReplicaSetAnnotations(deployment(4, '25%', '25%'), s, 1, false);
    expect(s.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5',
    });
  });
  it('setCondition keeps lastTransitionTime while the status stays and ignores same status and reason', () => {
    const status: { conditions?: unknown[] } = {};
    setCondition(status, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't1', lastUpdateTime: 't1' });
    setCondition(status, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't2', lastUpdateTime: 't2' });
    expect(status.conditions).toEqual([{ type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't1', lastUpdateTime: 't1' }]);
    setCondition(status, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 't3', lastUpdateTime: 't3' });
    expect(status.conditions).toEqual([{ type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 't1', lastUpdateTime: 't3' }]);
  });
});
