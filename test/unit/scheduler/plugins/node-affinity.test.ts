import { describe, expect, it } from 'vitest';
import { filterAll, scoreAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

const MISMATCH = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";

describe('NodeAffinity filter', () => {
  const nodes = [
    makeNode('a', { labels: { zone: 'z1', disk: 'ssd', gen: '3' } }),
    makeNode('b', { labels: { zone: 'z2', gen: '5' } }),
  ];
  const cases: { name: string; spec: object; want: Record<string, string> }[] = [
    { name: 'nothing required', spec: {}, want: { a: 'ok', b: 'ok' } },
    { name: 'nodeSelector', spec: { nodeSelector: { disk: 'ssd' } }, want: { a: 'ok', b: MISMATCH } },
    {
      name: 'required In',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2', 'z3'] }] }] } } } },
      want: { a: MISMATCH, b: 'ok' },
    },
    {
      name: 'required terms are ORed',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] },
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }] } } } },
      want: { a: 'ok', b: 'ok' },
    },
    {
      name: 'required NotIn / DoesNotExist / Gt',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [
          { key: 'zone', operator: 'NotIn', values: ['z9'] },
          { key: 'disk', operator: 'DoesNotExist' },
          { key: 'gen', operator: 'Gt', values: ['4'] }] }] } } } },
      want: { a: MISMATCH, b: 'ok' },
    },
    {
      name: 'matchFields metadata.name',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }] } } } },
      want: { a: 'ok', b: MISMATCH },
    },
    {
      name: 'nodeSelector and affinity must both hold',
      spec: {
        nodeSelector: { zone: 'z1' },
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }] } } },
      },
      want: { a: MISMATCH, b: MISMATCH },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(filterAll('NodeAffinity', makePod('p', { spec: c.spec as never }), nodes)).toEqual(c.want);
    });
  }
});

describe('NodeAffinity score', () => {
  it('sums matching preferred weights, normalized to 100 for the best node', () => {
    const nodes = [
      makeNode('a', { labels: { zone: 'z1', disk: 'ssd' } }),
      makeNode('b', { labels: { zone: 'z1' } }),
      makeNode('c', { labels: { zone: 'z2' } }),
    ];
    const pod = makePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 2, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
      { weight: 6, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
    ] } } } });
    expect(scoreAll('NodeAffinity', pod, nodes)).toEqual({ a: 100, b: 25, c: 0 });
  });
});
