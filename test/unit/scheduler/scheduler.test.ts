import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, numFeasibleNodesToFind } from '../../../src/scheduler/index.js';
import { FakeSource, makeNode, makePod, until } from './helpers.js';

const running: Scheduler[] = [];
function start(source: FakeSource, opts: ConstructorParameters<typeof Scheduler>[1] = {}): Scheduler {
  const s = new Scheduler(source, { queue: { initialBackoffMs: 0, maxBackoffMs: 0 }, ...opts });
  running.push(s);
  s.start();
  return s;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const bound = (src: FakeSource) => src.pods().filter((p) => p.spec?.nodeName);
const nodeCounts = (src: FakeSource) => {
  const m: Record<string, number> = {};
  for (const p of bound(src)) m[p.spec!.nodeName!] = (m[p.spec!.nodeName!] ?? 0) + 1;
  return m;
};

describe('Scheduler', () => {
  it('spreads pods over 3 nodes and records Scheduled events', async () => {
    const src = new FakeSource([makeNode('n1'), makeNode('n2'), makeNode('n3')]);
    const s = start(src);
    for (let i = 0; i < 9; i++) src.addPod(makePod(`web-${i}`, { cpu: '100m', memory: '128Mi', labels: { app: 'web' } }));
    await until(() => bound(src).length === 9 && s.idle);
    expect(nodeCounts(src)).toEqual({ n1: 3, n2: 3, n3: 3 });
    const ev = src.events.find((e) => e.pod === 'web-0');
    expect(ev).toMatchObject({ type: 'Normal', reason: 'Scheduled' });
    expect(ev?.message).toMatch(/^Successfully assigned default\/web-0 to n[123]$/);
  });

  it('counts assumed pods before the informer reports the binding', async () => {
    const src = new FakeSource([makeNode('n1', { cpu: '1' }), makeNode('n2', { cpu: '1' })]);
    const s = start(src);
    // Both arrive at once; each needs a whole node, so they must land on different nodes.
    src.addPod(makePod('a', { cpu: '1' }));
    src.addPod(makePod('b', { cpu: '1' }));
    await until(() => bound(src).length === 2 && s.idle);
    expect(nodeCounts(src)).toEqual({ n1: 1, n2: 1 });
  });

  it('gives an oversized pod a FailedScheduling event and PodScheduled=False in upstream wording', async () => {
    const cp = makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
    const src = new FakeSource([cp, makeNode('w1', { cpu: '2' }), makeNode('w2', { cpu: '2' })]);
    const s = start(src);
    src.addPod(makePod('huge', { cpu: '64' }));
    await until(() => src.events.some((e) => e.reason === 'FailedScheduling') && s.idle);
    const want = '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. '
      + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..';
    expect(src.events.find((e) => e.reason === 'FailedScheduling')).toEqual({ pod: 'huge', type: 'Warning', reason: 'FailedScheduling', message: want });
    await until(() => !!src.podByName('huge')?.status?.conditions?.length);
    expect(src.podByName('huge')?.status?.conditions?.[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: want });
    expect(s.queue.whereIs(src.podByName('huge')!.metadata!.uid!)).toBe('unschedulable');
  });

  it('retries an unschedulable pod when a node is added', async () => {
    const src = new FakeSource([makeNode('small', { cpu: '1' })]);
    const s = start(src);
    src.addPod(makePod('big', { cpu: '3' }));
    await until(() => src.events.some((e) => e.reason === 'FailedScheduling') && s.idle);
    src.addNode(makeNode('large', { cpu: '4' }));
    await until(() => bound(src).length === 1 && s.idle);
    expect(src.podByName('big')?.spec?.nodeName).toBe('large');
  });

  it('preempts a lower-priority pod, nominates the node and schedules there', async () => {
    const low = makePod('low', { cpu: '2', priority: 1, nodeName: 'n1' });
    const src = new FakeSource([makeNode('n1', { cpu: '2' })], [low]);
    const s = start(src);
    src.addPod(makePod('urgent', { cpu: '2', priority: 1000 }));
    await until(() => src.podByName('urgent')?.spec?.nodeName === 'n1' && s.idle);
    expect(src.deleted).toEqual(['low']);
    expect(src.events.find((e) => e.pod === 'low')).toMatchObject({
      type: 'Normal', reason: 'Preempted', message: `Preempted by pod ${src.podByName('urgent')!.metadata!.uid} on node n1`,
    });
    const failed = src.events.find((e) => e.pod === 'urgent' && e.reason === 'FailedScheduling');
    expect(failed?.message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    expect(s.stats.preemptions).toBe(1);
  });

  it('ignores pods for other schedulers and pods already bound', async () => {
    const src = new FakeSource([makeNode('n1')]);
    const s = start(src);
    src.addPod(makePod('other', { spec: { schedulerName: 'my-scheduler' } }));
    src.addPod(makePod('mine'));
    await until(() => bound(src).length === 1 && s.idle);
    expect(src.podByName('other')?.spec?.nodeName).toBeUndefined();
    expect(s.stats.attempts).toBe(1);
  });

  it('requeues a pod whose binding fails', async () => {
    const src = new FakeSource([makeNode('n1')]);
    let failures = 1;
    const realBind = src.bind.bind(src);
    src.bind = async (pod, node) => {
      if (failures-- > 0) throw new Error('etcdserver: request timed out');
      return realBind(pod, node);
    };
    const s = start(src);
    src.addPod(makePod('p'));
    await until(() => bound(src).length === 1 && s.idle);
    expect(s.stats.bindFailures).toBe(1);
    expect(src.events.find((e) => e.reason === 'FailedScheduling')?.message).toBe('Binding rejected: etcdserver: request timed out');
  });

  it('samples nodes like upstream', () => {
    expect([50, 100, 1000, 5000, 10000].map((n) => numFeasibleNodesToFind(undefined, n))).toEqual([50, 100, 420, 500, 500]);
    expect(numFeasibleNodesToFind(100, 1000)).toBe(1000);
    expect(numFeasibleNodesToFind(1, 1000)).toBe(100);
  });
});

describe('Scheduler throughput', () => {
  it('schedules 2,000 pods onto 1,000 nodes', async () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => makeNode(`node-${i}`, { labels: { 'topology.kubernetes.io/zone': `z${i % 3}` } }));
    const src = new FakeSource(nodes);
    const s = start(src);
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) src.addPod(makePod(`pod-${i}`, { cpu: '100m', memory: '64Mi' }));
    await until(() => src.bindCount === 2000 && s.idle, 10_000_000);
    const secs = (performance.now() - t0) / 1000;
    console.log(`scheduler: 2000 pods on 1000 nodes in ${secs.toFixed(2)} s (${Math.round(2000 / secs)} pods/s)`);
    expect(s.stats.scheduled).toBe(2000);
    expect(Math.max(...Object.values(nodeCounts(src)))).toBeLessThanOrEqual(3);
  }, 120_000);
});
