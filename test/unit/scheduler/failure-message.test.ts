import { describe, expect, it } from 'vitest';
import { formatFitError, unresolvable, unschedulable, type Status } from '../../../src/scheduler/index.js';

describe('FailedScheduling wording', () => {
  const taint = unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
  const cpu = unschedulable('Insufficient cpu');
  const cases: { name: string; n: number; statuses: Status[]; pre?: string; post?: string; want: string }[] = [
    { name: 'one reason', n: 3, statuses: [cpu, cpu, cpu], want: '0/3 nodes are available: 3 Insufficient cpu.' },
    {
      name: 'reasons counted and sorted as strings, with the preemption part',
      n: 3,
      statuses: [cpu, taint, cpu],
      post: 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
      want: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. '
        + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..',
    },
    {
      name: 'a node with several reasons counts each',
      n: 2,
      statuses: [unschedulable('Insufficient cpu', 'Insufficient memory'), cpu],
      want: '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.',
    },
    {
      name: 'sorting is by the whole string, count first (10 before 2)',
      n: 12,
      statuses: [...Array(10).fill(cpu), unschedulable('Too many pods'), unschedulable('Too many pods')],
      want: '0/12 nodes are available: 10 Insufficient cpu, 2 Too many pods.',
    },
    {
      name: 'a PreFilter rejection replaces the per-node reasons',
      n: 3,
      statuses: [cpu],
      pre: 'persistentvolumeclaim "data" not found',
      post: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      want: '0/3 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..',
    },
    {
      name: 'preemption not allowed',
      n: 1,
      statuses: [cpu],
      post: 'preemption: not eligible due to preemptionPolicy=Never.',
      want: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(formatFitError({ numAllNodes: c.n, statuses: c.statuses, preFilterMsg: c.pre, postFilterMsg: c.post })).toBe(c.want);
    });
  }
});
