import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { filterAll, scoreAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

const AFF = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";
const ANTI = "Unschedulable: node(s) didn't match pod anti-affinity rules";
const EXISTING = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";

const nodes = [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
];

const term = (labels: Record<string, string>, topologyKey = 'zone', extra: object = {}) =>
  ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });

function withAffinity(name: string, aff: object, o: { labels?: Record<string, string>; nodeName?: string; namespace?: string } = {}): Pod {
  return makePod(name, { ...o, spec: { affinity: aff as never } });
}

describe('InterPodAffinity filter', () => {
  const db = makePod('db', { nodeName: 'a1', labels: { app: 'db' } });
  const cases: { name: string; pod: Pod; existing: Pod[]; want: Record<string, string> }[] = [
    {
      name: 'required affinity: only the zone holding a matching pod',
      pod: withAffinity('p', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' })] } }),
      existing: [db],
      want: { a1: 'ok', a2: 'ok', b1: AFF },
    },
    {
      name: 'required affinity with no match anywhere fails',
      pod: withAffinity('p', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'cache' })] } }),
      existing: [db],
      want: { a1: AFF, a2: AFF, b1: AFF },
    },
    {
      name: 'first pod of a self-affine group fits anywhere',
      pod: withAffinity('p', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] } }, { labels: { app: 'web' } }),
      existing: [db],
      want: { a1: 'ok', a2: 'ok', b1: 'ok' },
    },
    {
      name: 'affinity ignores pods in other namespaces unless named',
      pod: withAffinity('p', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone', { namespaces: ['other'] })] } }),
      existing: [db, makePod('db2', { nodeName: 'b1', labels: { app: 'db' }, namespace: 'other' })],
      want: { a1: AFF, a2: AFF, b1: 'ok' },
    },
    {
      name: 'required anti-affinity keeps the pod out of the zone',
      pod: withAffinity('p', { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' })] } }),
      existing: [db],
      want: { a1: ANTI, a2: ANTI, b1: 'ok' },
    },
    {
      name: 'hostname anti-affinity only blocks that node',
      pod: withAffinity('p', { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'kubernetes.io/hostname')] } }),
      existing: [db],
      want: { a1: ANTI, a2: 'ok', b1: 'ok' },
    },
    {
      name: "an existing pod's anti-affinity keeps matching pods away",
      pod: makePod('p', { labels: { app: 'web' } }),
      existing: [withAffinity('loner', { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] } }, { nodeName: 'b1' })],
      want: { a1: 'ok', a2: 'ok', b1: EXISTING },
    },
    {
      name: 'namespaceSelector {} matches every namespace',
      pod: withAffinity('p', { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone', { namespaceSelector: {} })] } }),
      existing: [makePod('db2', { nodeName: 'b1', labels: { app: 'db' }, namespace: 'other' })],
      want: { a1: 'ok', a2: 'ok', b1: ANTI },
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      expect(filterAll('InterPodAffinity', t.pod, nodes, t.existing)).toEqual(t.want);
    });
  }
});

describe('InterPodAffinity score', () => {
  it('preferred affinity and anti-affinity move scores between domains', () => {
    const existing = [makePod('db', { nodeName: 'a1', labels: { app: 'db' } }), makePod('noisy', { nodeName: 'b1', labels: { app: 'noisy' } })];
    const pod = withAffinity('p', {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'db' }) }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ app: 'noisy' }) }] },
    });
    expect(scoreAll('InterPodAffinity', pod, nodes, existing)).toEqual({ a1: 100, a2: 100, b1: 0 });
  });

  it("existing pods' preferred terms attract matching pods (symmetry)", () => {
    const existing = [withAffinity('friend', { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 3, podAffinityTerm: term({ app: 'web' }) }] } }, { nodeName: 'b1' })];
    expect(scoreAll('InterPodAffinity', makePod('p', { labels: { app: 'web' } }), nodes, existing)).toEqual({ a1: 0, a2: 0, b1: 100 });
  });
});
