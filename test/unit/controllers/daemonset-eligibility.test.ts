/** DaemonSet placement: daemon tolerations, taints, nodeSelector, node affinity, pinning, rolling limits. */
import { describe, expect, it } from 'vitest';
import {
  daemonTolerations, newDaemonPod, nodeShouldRunDaemonPod, rollingLimits, targetNodeName,
} from '../../../src/controllers/daemonset/eligibility.js';
import { toleratesTaint } from '../../../src/machinery/node-selection.js';

const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []) => ({ metadata: { name, labels }, spec: { taints } });
const ds = (spec: Record<string, unknown> = {}, strategy?: unknown) => ({
  metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid' },
  spec: { template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } }, updateStrategy: strategy },
});

describe('toleratesTaint', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  it.each([
    [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, true],
    [{ key: 'k', value: 'v' }, true],
    [{ key: 'k', value: 'w' }, false],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
  ])('%j → %s', (tol, want) => {
    expect(toleratesTaint(tol, taint)).toBe(want);
  });
});

describe('daemonTolerations', () => {
  it('adds the six daemon tolerations, network-unavailable with hostNetwork, replacing same-key ones', () => {
    const keys = (spec: Record<string, unknown>) => daemonTolerations(spec).map((t) => `${t.key}:${t.effect}`);
    expect(keys({})).toHaveLength(6);
    expect(keys({ hostNetwork: true })).toContain('node.kubernetes.io/network-unavailable:NoSchedule');
    const own = daemonTolerations({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] });
    expect(own.filter((t) => t.key === 'node.kubernetes.io/not-ready')).toEqual([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }]);
  });
});

describe('nodeShouldRunDaemonPod', () => {
  const req = (terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  it.each([
    ['plain node', ds(), node('n'), true, true],
    ['nodeSelector matches', ds({ nodeSelector: { disk: 'ssd' } }), node('n', { disk: 'ssd' }), true, true],
    ['nodeSelector misses', ds({ nodeSelector: { disk: 'ssd' } }), node('n'), false, false],
    ['affinity In', ds(req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }])), node('n', { zone: 'b' }), true, true],
    ['affinity NotIn', ds(req([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }])), node('n', { zone: 'b' }), false, false],
    ['affinity terms are ORed', ds(req([{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }])), node('n'), true, true],
    ['affinity Gt', ds(req([{ matchExpressions: [{ key: 'cpu', operator: 'Gt', values: ['4'] }] }])), node('n', { cpu: '8' }), true, true],
    ['empty term matches nothing', ds(req([{}])), node('n'), false, false],
    ['NoSchedule taint not tolerated', ds(), node('n', {}, [{ key: 'k', effect: 'NoSchedule' }]), false, true],
    ['NoExecute taint not tolerated', ds(), node('n', {}, [{ key: 'k', effect: 'NoExecute' }]), false, false],
    ['PreferNoSchedule is ignored', ds(), node('n', {}, [{ key: 'k', effect: 'PreferNoSchedule' }]), true, true],
    ['taint tolerated', ds({ tolerations: [{ key: 'k', operator: 'Exists' }] }), node('n', {}, [{ key: 'k', effect: 'NoExecute' }]), true, true],
    ['unschedulable taint tolerated automatically', ds(), node('n', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), true, true],
    ['not-ready taint tolerated automatically', ds(), node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), true, true],
    ['template nodeName elsewhere', ds({ nodeName: 'other' }), node('n'), false, false],
  ])('%s', (_what, d, n, shouldRun, shouldContinueRunning) => {
    expect(nodeShouldRunDaemonPod(n, d)).toEqual({ shouldRun, shouldContinueRunning });
  });
});

describe('newDaemonPod', () => {
  it('is pinned to its node through matchFields, replacing required terms but keeping the rest', () => {
    const d = ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }] } } });
    const pod = newDaemonPod(d, 'node-7', 'h1');
    expect(pod.metadata).toMatchObject({ generateName: 'agent-', namespace: 'ns', labels: { app: 'a', 'controller-revision-hash': 'h1' } });
    expect(pod.spec.affinity.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-7'] }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
    });
    expect(targetNodeName(pod)).toBe('node-7');
    expect(targetNodeName({ spec: { ...pod.spec, nodeName: 'bound' } })).toBe('bound');
  });
});

describe('rollingLimits', () => {
  it.each([
    [{ maxUnavailable: 1, maxSurge: 0 }, 10, 0, 1],
    [{ maxUnavailable: '25%', maxSurge: 0 }, 10, 0, 3],
    [{ maxUnavailable: 0, maxSurge: '10%' }, 10, 1, 0],
    [{ maxUnavailable: 0, maxSurge: 0 }, 10, 0, 1],
    [{ maxUnavailable: '10%' }, 0, 0, 0],
    [{ maxUnavailable: '10%' }, 1, 0, 1],
  ])('%j over %d nodes → surge %d, unavailable %d', (ru, desired, surge, unavailable) => {
    expect(rollingLimits(ds({}, { type: 'RollingUpdate', rollingUpdate: ru }), desired)).toEqual({ maxSurge: surge, maxUnavailable: unavailable });
  });
});
