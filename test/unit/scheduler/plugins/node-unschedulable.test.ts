import { describe, expect, it } from 'vitest';
import { filterAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

describe('NodeUnschedulable', () => {
  const cases: { name: string; unschedulable?: boolean; tolerations?: object[]; want: string }[] = [
    { name: 'schedulable node', want: 'ok' },
    { name: 'cordoned node', unschedulable: true, want: 'UnschedulableAndUnresolvable: node(s) were unschedulable' },
    {
      name: 'cordoned node, pod tolerates the unschedulable taint',
      unschedulable: true,
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
      want: 'ok',
    },
    {
      name: 'cordoned node, toleration for another effect does not help',
      unschedulable: true,
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }],
      want: 'UnschedulableAndUnresolvable: node(s) were unschedulable',
    },
    { name: 'cordoned node, tolerate-everything', unschedulable: true, tolerations: [{ operator: 'Exists' }], want: 'ok' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = makePod('p', { spec: { tolerations: c.tolerations as never } });
      expect(filterAll('NodeUnschedulable', pod, [makeNode('n1', { unschedulable: c.unschedulable })]).n1).toBe(c.want);
    });
  }
});
