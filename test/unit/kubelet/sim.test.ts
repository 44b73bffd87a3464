/** The simulated node's pure parts: stage matching, delays, status templates, addresses, the timeline. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STAGES, DEFAULT_TIMINGS, PodIPs, Timeline, matchStage, nodeIPFor, podCIDRFor, renderStatus, stageDelay,
} from '../../../src/kubelet/sim/index.js';

const c = (name: string, command?: string[]) => ({ name, image: 'busybox', ...(command ? { command } : {}) });

function pod(o: { phase?: string; restartPolicy?: string; containers?: any[]; init?: any[]; statuses?: any[]; initStatuses?: any[]; deleting?: boolean; exit?: string; grace?: number } = {}) {
  return {
    metadata: {
      name: 'p', namespace: 'default', uid: 'u1', resourceVersion: '1',
      ...(o.deleting ? { deletionTimestamp: '2030-01-01T00:00:00Z', deletionGracePeriodSeconds: o.grace ?? 30 } : {}),
      ...(o.exit ? { annotations: { 'sim.k8ts.io/exit-code': o.exit } } : {}),
    },
    spec: { restartPolicy: o.restartPolicy ?? 'Always', containers: o.containers ?? [c('main')], ...(o.init ? { initContainers: o.init } : {}) },
    status: { phase: o.phase ?? 'Pending', ...(o.statuses ? { containerStatuses: o.statuses } : {}), ...(o.initStatuses ? { initContainerStatuses: o.initStatuses } : {}) },
  };
}
const running = [{ name: 'main', state: { running: { startedAt: 'x' } } }];
const waiting = [{ name: 'main', state: { waiting: { reason: 'ContainerCreating' } } }];

describe('default lifecycle stages', () => {
  it.each([
    ['new pod', pod(), 'pod-create'],
    ['new pod with init containers', pod({ init: [c('i', ['true'])] }), 'pod-create-init'],
    ['init containers running', pod({ init: [c('i', ['true'])], statuses: [{ name: 'main', state: { waiting: {} } }], initStatuses: [{ name: 'i', state: { running: {} } }] }), 'pod-init-complete'],
    ['containers creating', pod({ statuses: waiting }), 'pod-ready'],
    ['running service', pod({ phase: 'Running', statuses: running }), undefined],
    ['running, Always with a command', pod({ phase: 'Running', statuses: running, containers: [c('main', ['sleep'])] }), undefined],
    ['running, Never without a command', pod({ phase: 'Running', restartPolicy: 'Never', statuses: running }), undefined],
    ['running, Never with a command', pod({ phase: 'Running', restartPolicy: 'Never', statuses: running, containers: [c('main', ['true'])] }), 'pod-complete'],
    ['running, Never, exit 2', pod({ phase: 'Running', restartPolicy: 'Never', statuses: running, containers: [c('main', ['x'])], exit: '2' }), 'pod-fail'],
    ['running, OnFailure, exit 1', pod({ phase: 'Running', restartPolicy: 'OnFailure', statuses: running, containers: [c('main', ['x'])], exit: '1' }), 'pod-restart'],
    ['succeeded', pod({ phase: 'Succeeded', statuses: [{ name: 'main', state: { terminated: {} } }] }), undefined],
    ['deleting', pod({ phase: 'Running', statuses: running, deleting: true }), 'pod-delete'],
  ])('%s → %s', (_what, p, stage) => {
    expect(matchStage(DEFAULT_STAGES, p)?.name).toBe(stage);
  });

  it('termination waits for the smaller of the grace period and the cap', () => {
    const del = DEFAULT_STAGES.find((s) => s.name === 'pod-delete')!;
    expect(stageDelay(del, pod({ deleting: true, grace: 30 }), { ...DEFAULT_TIMINGS, terminateCapMs: 2000 })).toBe(2000);
    expect(stageDelay(del, pod({ deleting: true, grace: 0 }), { ...DEFAULT_TIMINGS, terminateCapMs: 2000 })).toBe(0);
    expect(stageDelay(del, pod({ deleting: true, grace: 1 }), { ...DEFAULT_TIMINGS, terminateCapMs: 5000 })).toBe(1000);
  });
});

describe('status templates', () => {
  const ctx = { now: '2030-01-01T00:00:00Z', hostIP: '127.0.0.1', podIP: '10.42.1.2' };

  it('running: phase, IPs, ready containers and all conditions True', () => {
    const s = renderStatus('running', pod({ statuses: waiting }), ctx);
    expect(s).toMatchObject({ phase: 'Running', podIP: '10.42.1.2', podIPs: [{ ip: '10.42.1.2' }], hostIP: '127.0.0.1', startTime: ctx.now });
    expect(s.conditions.map((x: any) => [x.type, x.status])).toEqual([
      ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
    ]);
    expect(s.containerStatuses).toMatchObject([{ name: 'main', ready: true, started: true, restartCount: 0, state: { running: { startedAt: ctx.now } } }]);
  });

  it('failed carries the annotated exit code; restarted counts restarts and keeps the last state', () => {
    const p = pod({ phase: 'Running', restartPolicy: 'OnFailure', statuses: [{ name: 'main', restartCount: 1, state: { running: { startedAt: 'a' } } }], exit: '7' });
    expect(renderStatus('failed', p, ctx).containerStatuses[0].state.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
    const r = renderStatus('restarted', p, ctx).containerStatuses[0];
    expect(r).toMatchObject({ restartCount: 2, lastState: { terminated: { exitCode: 7, startedAt: 'a', finishedAt: ctx.now } }, state: { running: { startedAt: ctx.now } } });
  });

  it('creating lists the unready containers in upstream wording', () => {
    const s = renderStatus('creating', pod({ containers: [c('a'), c('b')] }), ctx);
    expect(s.conditions.find((x: any) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' });
    expect(s.containerStatuses.map((x: any) => x.state.waiting.reason)).toEqual(['ContainerCreating', 'ContainerCreating']);
  });
});

describe('addresses', () => {
  it.each([[1, '127.0.0.1', '10.42.1.0/24'], [255, '127.0.0.255', '10.42.255.0/24'], [256, '127.0.1.0', '10.43.0.0/24'], [5000, '127.0.19.136', '10.61.136.0/24']])(
    'node %i → %s, %s', (i, ip, cidr) => {
      expect(nodeIPFor(i)).toBe(ip);
      expect(podCIDRFor(i)).toBe(cidr);
    },
  );

  it('pod IPs: lowest free first, stable per pod, reused after release, 253 per node', () => {
    const ips = new PodIPs('10.42.7.0/24');
    expect(ips.allocate('a')).toBe('10.42.7.2');
    expect(ips.allocate('b')).toBe('10.42.7.3');
    expect(ips.allocate('a')).toBe('10.42.7.2');
    ips.release('a');
    ips.reserve('c', '10.42.7.4');
    expect(ips.allocate('d')).toBe('10.42.7.2');
    for (let i = 0; i < 250; i++) expect(ips.allocate(`x${i}`)).toBeDefined();
    expect(ips.allocate('full')).toBeUndefined();
  });
});

describe('Timeline', () => {
  it('fires entries in due order, skips cancelled ones, and runs same-time entries in insertion order', async () => {
    let now = 0;
    const tl = new Timeline(() => now);
    const fired: string[] = [];
    tl.at(30, () => fired.push('c'));
    tl.at(10, () => fired.push('a'));
    const x = tl.at(20, () => fired.push('x'));
    tl.at(10, () => fired.push('b'));
    x.cancel();
    now = 100;
    // The one timer is armed for the earliest entry (10 ms on this fake clock).
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(x.pending).toBe(false);
    tl.close();
    expect(tl.at(0, () => fired.push('late')).pending).toBe(false);
  });
});
