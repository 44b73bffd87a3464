import { describe, expect, it } from 'vitest';
import { filterAll, scoreAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

describe('TaintToleration filter', () => {
  const cp = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
  const cases: { name: string; taints: object[]; tolerations?: object[]; want: string }[] = [
    { name: 'no taints', taints: [], want: 'ok' },
    {
      name: 'untolerated NoSchedule (empty value)',
      taints: [cp],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    },
    {
      name: 'untolerated NoExecute with value',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'soft', effect: 'PreferNoSchedule' }], want: 'ok' },
    { name: 'Exists toleration', taints: [cp], tolerations: [{ key: cp.key, operator: 'Exists' }], want: 'ok' },
    {
      name: 'Equal toleration with matching value',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      want: 'ok',
    },
    {
      name: 'Equal toleration with another value',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      tolerations: [{ key: 'dedicated', value: 'cpu' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    },
    {
      name: 'toleration for another effect',
      taints: [cp],
      tolerations: [{ key: cp.key, operator: 'Exists', effect: 'NoExecute' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = makePod('p', { spec: { tolerations: c.tolerations as never } });
      expect(filterAll('TaintToleration', pod, [makeNode('n1', { taints: c.taints as never })]).n1).toBe(c.want);
    });
  }
});

describe('TaintToleration score', () => {
  it('prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
    const soft = (k: string) => ({ key: k, effect: 'PreferNoSchedule' });
    const nodes = [
      makeNode('clean'),
      makeNode('one', { taints: [soft('a')] }),
      makeNode('two', { taints: [soft('a'), soft('b')] }),
      makeNode('tolerated', { taints: [soft('t')] }),
    ];
    const pod = makePod('p', { spec: { tolerations: [{ key: 't', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
    expect(scoreAll('TaintToleration', pod, nodes)).toEqual({ clean: 100, one: 50, two: 0, tolerated: 100 });
  });
});
