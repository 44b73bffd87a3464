import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  CycleState, Framework, Snapshot, defaultProfile, podInfoOf, registerDefaultPlugins, statusMessage, type NodeStatusMap,
} from '../../../../src/scheduler/index.js';
import { pickOneNode } from '../../../../src/scheduler/plugins/index.js';
import { makeNode, makePod } from '../helpers.js';

const registry = registerDefaultPlugins(new Map());

function preempt(pod: Pod, nodes: Node[], pods: Pod[], nominated: Pod[] = []) {
  const snap = Snapshot.from(nodes, pods);
  const fwk = new Framework(defaultProfile({ pluginArgs: { DefaultPreemption: { offset: () => 0 } } }), {
    registry,
    snapshot: () => snap,
    nominatedPodsForNode: (n) => nominated.filter((p) => p.status?.nominatedNodeName === n).map(podInfoOf),
  });
  const st = new CycleState();
  fwk.runPreFilter(st, pod, snap);
  const statuses: NodeStatusMap = new Map();
  for (const ni of snap.nodeInfos) {
    const s = fwk.runFilterWithNominatedPods(st, pod, ni);
    if (s.code !== 'Success') statuses.set(ni.name, s);
  }
  const r = fwk.runPostFilter(st, pod, statuses);
  return { ...r, message: statusMessage(r.status), victims: (r.victims ?? []).map((v) => v.metadata!.name) };
}

describe('DefaultPreemption', () => {
  const nodes = [makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' })];

  it('evicts the fewest lower-priority pods on the best node', () => {
    const pods = [
      makePod('low-a', { nodeName: 'n1', cpu: '1', priority: 1 }),
      makePod('low-b', { nodeName: 'n1', cpu: '1', priority: 1 }),
      makePod('mid', { nodeName: 'n2', cpu: '1', priority: 5 }),
      makePod('high', { nodeName: 'n2', cpu: '1', priority: 100 }),
    ];
    const r = preempt(makePod('p', { cpu: '1', priority: 10 }), nodes, pods);
    expect(r.status.code).toBe('Success');
    // n1's highest victim has priority 1, n2's would be 5: n1 wins, and one pod is enough.
    expect(r.nominatedNodeName).toBe('n1');
    expect(r.victims).toHaveLength(1);
  });

  it('keeps pods that can stay (reprieve) and prefers the most important ones', () => {
    const pods = [
      makePod('small-old', { nodeName: 'n1', cpu: '500m', priority: 1, startTime: '2024-01-01T00:00:00Z' }),
      makePod('small-new', { nodeName: 'n1', cpu: '500m', priority: 1, startTime: '2024-06-01T00:00:00Z' }),
      makePod('other', { nodeName: 'n1', cpu: '1', priority: 1000 }),
    ];
    const r = preempt(makePod('p', { cpu: '500m', priority: 10 }), [nodes[0]], pods);
    expect(r.victims).toEqual(['small-new']);
  });

  it('reports when no pod can be evicted', () => {
    const pods = [makePod('high1', { nodeName: 'n1', cpu: '2', priority: 100 }), makePod('high2', { nodeName: 'n2', cpu: '2', priority: 100 })];
    const r = preempt(makePod('p', { cpu: '1', priority: 10 }), nodes, pods);
    expect(r.status.code).toBe('Unschedulable');
    expect(r.message).toBe('preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  });

  it('does not consider nodes where preemption cannot help', () => {
    const tainted = makeNode('cp', { cpu: '2', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
    const pods = [makePod('high', { nodeName: 'n1', cpu: '2', priority: 100 })];
    const r = preempt(makePod('p', { cpu: '1', priority: 10 }), [tainted, nodes[0]], pods);
    expect(r.message).toBe('preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
  });

  it('reports the filter reason when evicting everything still does not fit', () => {
    const pods = [makePod('low', { nodeName: 'n1', cpu: '1', priority: 1 })];
    const r = preempt(makePod('p', { cpu: '3', priority: 10 }), [nodes[0]], pods);
    expect(r.message).toBe('preemption: 0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('respects preemptionPolicy Never', () => {
    const pods = [makePod('low', { nodeName: 'n1', cpu: '2', priority: 1 })];
    const pod = makePod('p', { cpu: '1', priority: 10, spec: { preemptionPolicy: 'Never' } });
    expect(preempt(pod, [nodes[0]], pods).message).toBe('preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('asks to clear lower-priority nominations on the chosen node', () => {
    const pods = [makePod('low', { nodeName: 'n1', cpu: '2', priority: 1 })];
    const waiting = { ...makePod('waiting', { cpu: '100m', priority: 5 }), status: { nominatedNodeName: 'n1' } };
    const r = preempt(makePod('p', { cpu: '1', priority: 10 }), [nodes[0]], pods, [waiting]);
    expect(r.nominatedNodeName).toBe('n1');
    expect((r.clearNominations ?? []).map((p) => p.metadata!.name)).toEqual(['waiting']);
  });
});

describe('pickOneNode', () => {
  const v = (name: string, priority: number, startTime?: string) => podInfoOf(makePod(name, { priority, startTime }));
  const cases: { name: string; cands: { id: string; victims: ReturnType<typeof v>[] }[]; want: string }[] = [
    { name: 'lowest highest-priority victim', cands: [{ id: 'a', victims: [v('x', 5)] }, { id: 'b', victims: [v('y', 3), v('z', 3)] }], want: 'b' },
    { name: 'then lowest priority sum', cands: [{ id: 'a', victims: [v('x', 5), v('y', 4)] }, { id: 'b', victims: [v('z', 5), v('w', 1)] }], want: 'b' },
    { name: 'then fewest victims', cands: [{ id: 'a', victims: [v('x', 5), v('y', 0)] }, { id: 'b', victims: [v('z', 5)] }], want: 'b' },
    {
      name: 'then the latest-started top victims',
      cands: [{ id: 'a', victims: [v('x', 5, '2024-01-01T00:00:00Z')] }, { id: 'b', victims: [v('z', 5, '2024-02-01T00:00:00Z')] }],
      want: 'b',
    },
    { name: 'a node without victims wins outright', cands: [{ id: 'a', victims: [v('x', 0)] }, { id: 'b', victims: [] }], want: 'b' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(pickOneNode(c.cands).id).toBe(c.want);
    });
  }
});
