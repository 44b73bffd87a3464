import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequests } from '../../../../src/scheduler/index.js';
import { filterAll, scoreAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

function podWith(spec: Partial<NonNullable<Pod['spec']>>): Pod {
  return makePod('p', { spec });
}

const c = (name: string, cpu?: string, memory?: string, extra: object = {}) =>
  ({ name, image: 'x', resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } }, ...extra });

describe('effective pod requests', () => {
  const cases: { name: string; spec: object; cpu: number; memory: number }[] = [
    { name: 'sum of containers', spec: { containers: [c('a', '100m', '1Mi'), c('b', '200m', '2Mi')] }, cpu: 300, memory: 3 << 20 },
    {
      name: 'largest init container wins when bigger than the sum',
      spec: { containers: [c('a', '100m')], initContainers: [c('i1', '500m'), c('i2', '300m')] },
      cpu: 500, memory: 0,
    },
    {
      name: 'sidecars add to containers and to later init containers',
      spec: {
        containers: [c('a', '100m')],
        initContainers: [c('s', '200m', undefined, { restartPolicy: 'Always' }), c('i', '250m')],
      },
      // containers+sidecar = 300m; init i runs beside the sidecar: 450m
      cpu: 450, memory: 0,
    },
    {
      name: 'an init container before the sidecar does not run beside it',
      spec: {
        containers: [c('a', '100m')],
        initContainers: [c('i', '250m'), c('s', '200m', undefined, { restartPolicy: 'Always' })],
      },
      cpu: 300, memory: 0,
    },
    { name: 'overhead is added', spec: { containers: [c('a', '100m')], overhead: { cpu: '50m' } }, cpu: 150, memory: 0 },
    {
      name: 'limits stand in for missing requests',
      spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
      cpu: 1000, memory: 1 << 30,
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const r = podRequests(podWith(t.spec as never));
      expect([r.milliCPU, r.memory]).toEqual([t.cpu, t.memory]);
    });
  }
});

describe('NodeResourcesFit filter', () => {
  const node = makeNode('n1', { cpu: '2', memory: '4Gi', pods: 2, extra: { 'example.com/gpu': '1' } });
  const existing = makePod('old', { nodeName: 'n1', cpu: '1500m', memory: '1Gi' });
  const cases: { name: string; pod: Pod; others?: Pod[]; want: string }[] = [
    { name: 'fits', pod: makePod('p', { cpu: '500m', memory: '1Gi' }), others: [existing], want: 'ok' },
    { name: 'insufficient cpu', pod: makePod('p', { cpu: '600m' }), others: [existing], want: 'Unschedulable: Insufficient cpu' },
    {
      name: 'insufficient cpu and memory together',
      pod: makePod('p', { cpu: '3', memory: '5Gi' }),
      want: 'Unschedulable: Insufficient cpu, Insufficient memory',
    },
    {
      name: 'too many pods',
      pod: makePod('p'),
      others: [existing, makePod('other', { nodeName: 'n1' })],
      want: 'Unschedulable: Too many pods',
    },
    {
      name: 'extended resource',
      pod: podWith({ containers: [{ name: 'a', image: 'x', resources: { requests: { 'example.com/gpu': '2' } } }] }),
      want: 'Unschedulable: Insufficient example.com/gpu',
    },
    {
      name: 'unknown extended resource',
      pod: podWith({ containers: [{ name: 'a', image: 'x', resources: { requests: { 'example.com/fpga': '1' } } }] }),
      want: 'Unschedulable: Insufficient example.com/fpga',
    },
    { name: 'best-effort pod only needs a pod slot', pod: makePod('p'), others: [existing], want: 'ok' },
  ];
  for (const t of cases) {
    it(t.name, () => {
      expect(filterAll('NodeResourcesFit', t.pod, [node], t.others ?? []).n1).toBe(t.want);
    });
  }
});

describe('NodeResourcesFit score (LeastAllocated)', () => {
  it('prefers the emptier node; best-effort pods count 100m/200Mi', () => {
    const nodes = [makeNode('empty', { cpu: '4', memory: '8Gi' }), makeNode('half', { cpu: '4', memory: '8Gi' })];
    const pods = [makePod('x', { nodeName: 'half', cpu: '2', memory: '4Gi' })];
    const scores = scoreAll('NodeResourcesFit', makePod('p', { cpu: '1', memory: '2Gi' }), nodes, pods);
    // empty: cpu (4-1)/4=75, mem 75 → 75; half: cpu (4-3)/4=25, mem 25 → 25
    expect(scores).toEqual({ empty: 75, half: 25 });
    const be = scoreAll('NodeResourcesFit', makePod('p'), [makeNode('n', { cpu: '1', memory: '1Gi' })]);
    // cpu (1000-100)*100/1000 = 90, memory (1024-200)*100/1024 = 80 → 85
    expect(be).toEqual({ n: 85 });
  });

  it('MostAllocated prefers the fuller node', () => {
    const nodes = [makeNode('empty', { cpu: '4', memory: '8Gi' }), makeNode('half', { cpu: '4', memory: '8Gi' })];
    const pods = [makePod('x', { nodeName: 'half', cpu: '2', memory: '4Gi' })];
    const scores = scoreAll('NodeResourcesFit', makePod('p', { cpu: '1', memory: '2Gi' }), nodes, pods,
      { scoringStrategy: { type: 'MostAllocated' } });
    expect(scores).toEqual({ empty: 25, half: 75 });
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers nodes where cpu and memory fractions stay close', () => {
    const nodes = [makeNode('balanced', { cpu: '4', memory: '4Gi' }), makeNode('skewed', { cpu: '4', memory: '16Gi' })];
    const scores = scoreAll('NodeResourcesBalancedAllocation', makePod('p', { cpu: '2', memory: '2Gi' }), nodes);
    // balanced: 0.5/0.5 → 100; skewed: 0.5/0.125 → std 0.1875 → 81
    expect(scores).toEqual({ balanced: 100, skewed: 81 });
  });

  it('skips best-effort pods', () => {
    const nodes = [makeNode('a'), makeNode('b', { cpu: '1' })];
    expect(scoreAll('NodeResourcesBalancedAllocation', makePod('p'), nodes)).toEqual({ a: 0, b: 0 });
  });
});
