import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { filterAll, scoreAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

const SKEW = "Unschedulable: node(s) didn't match pod topology spread constraints";
const NO_LABEL = "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)";

const nodes = [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
  makeNode('nolabel'),
];

function web(name: string, nodeName?: string, ns?: string): Pod {
  return makePod(name, { nodeName, labels: { app: 'web' }, namespace: ns });
}

function spreadPod(c: object): Pod {
  return makePod('new', {
    labels: { app: 'web' },
    spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c }] as never },
  });
}

describe('PodTopologySpread filter', () => {
  const cases: { name: string; c?: object; existing: Pod[]; want: Record<string, string> }[] = [
    {
      name: 'empty cluster: every labelled node fits',
      existing: [],
      want: { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: NO_LABEL },
    },
    {
      name: 'zone a has one more: only zone b fits',
      existing: [web('x', 'a1')],
      want: { a1: SKEW, a2: SKEW, b1: 'ok', nolabel: NO_LABEL },
    },
    {
      name: 'maxSkew 2 allows zone a',
      c: { maxSkew: 2 },
      existing: [web('x', 'a1')],
      want: { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: NO_LABEL },
    },
    {
      name: 'pods in other namespaces and terminating pods do not count',
      existing: [web('x', 'a1', 'other'), { ...web('y', 'a2'), metadata: { ...web('y', 'a2').metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } }],
      want: { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: NO_LABEL },
    },
    {
      name: 'minDomains above the domain count makes the global minimum 0',
      c: { minDomains: 3 },
      existing: [web('x', 'a1'), web('y', 'b1')],
      want: { a1: SKEW, a2: SKEW, b1: SKEW, nolabel: NO_LABEL },
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      expect(filterAll('PodTopologySpread', spreadPod(t.c ?? {}), nodes, t.existing)).toEqual(t.want);
    });
  }

  it('honors the pod node selector when counting domains (zone b excluded)', () => {
    const pod = spreadPod({});
    pod.spec!.nodeSelector = { zone: 'a' };
    // With zone b excluded, only zone a counts: its minimum is its own count, so a1/a2 fit.
    expect(filterAll('PodTopologySpread', pod, nodes, [web('x', 'a1')])).toMatchObject({ a1: 'ok', a2: 'ok' });
  });

  it('matchLabelKeys narrows the selector to pods with the same label value', () => {
    const pod = spreadPod({ matchLabelKeys: ['rev'] });
    pod.metadata!.labels = { app: 'web', rev: '2' };
    const old = makePod('old', { nodeName: 'a1', labels: { app: 'web', rev: '1' } });
    expect(filterAll('PodTopologySpread', pod, nodes, [old])).toMatchObject({ a1: 'ok', b1: 'ok' });
  });

  it('skips pods without DoNotSchedule constraints', () => {
    expect(filterAll('PodTopologySpread', makePod('p'), nodes)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok', nolabel: 'ok' });
  });
});

describe('PodTopologySpread score', () => {
  it('ScheduleAnyway prefers the domain with fewer matching pods', () => {
    const pod = spreadPod({ whenUnsatisfiable: 'ScheduleAnyway' });
    const labelled = nodes.slice(0, 3);
    const scores = scoreAll('PodTopologySpread', pod, labelled, [web('x', 'a1'), web('y', 'a2')]);
    expect(scores.b1).toBe(100);
    expect(scores.a1).toBeLessThan(scores.b1);
    expect(scores.a1).toBe(scores.a2);
  });

  it('hostname constraints count per node', () => {
    const pod = spreadPod({ whenUnsatisfiable: 'ScheduleAnyway', topologyKey: 'kubernetes.io/hostname' });
    const scores = scoreAll('PodTopologySpread', pod, nodes, [web('x', 'a1'), web('y', 'a1')]);
    expect(scores.a1).toBeLessThan(scores.a2);
    expect(scores).toMatchObject({ a2: 100, b1: 100, nolabel: 100 });
  });

  it('nodes without the topology key score 0', () => {
    const pod = spreadPod({ whenUnsatisfiable: 'ScheduleAnyway' });
    const scores = scoreAll('PodTopologySpread', pod, nodes, [web('x', 'a1')]);
    expect(scores.nolabel).toBe(0);
    expect(scores.b1).toBe(100);
  });
});
