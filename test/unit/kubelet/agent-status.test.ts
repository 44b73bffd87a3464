import { describe, expect, it } from 'vitest';
import { Backoff, PodSyncer, generateStatus, goDuration, podPhase, pullPolicy, statusPatch, type PodRuntime } from '../../../src/kubelet/agent/index.js';

const running = { state: { running: { startedAt: 'x' } }, lastState: {}, started: true };
const done = (exitCode: number) => ({ state: { terminated: { exitCode } }, lastState: {} });
const waitingAfter = (exitCode: number) => ({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode } } });
const waitingFresh = { state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} };

function pod(restartPolicy: string, init: any[] = [], main = [{ name: 'a' }]): any {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { restartPolicy, initContainers: init, containers: main } };
}

describe('podPhase (upstream getPhase)', () => {
  const cases: [string, any, any[], any[], boolean, string][] = [
    ['nothing started yet', pod('Always'), [], [{ name: 'a', ...waitingFresh }], false, 'Pending'],
    ['running', pod('Always'), [], [{ name: 'a', ...running }], false, 'Running'],
    ['exited, Always restarts it', pod('Always'), [], [{ name: 'a', ...done(1) }], false, 'Running'],
    ['exited 0, Never', pod('Never'), [], [{ name: 'a', ...done(0) }], false, 'Succeeded'],
    ['exited 1, Never', pod('Never'), [], [{ name: 'a', ...done(1) }], false, 'Failed'],
    ['exited 1, OnFailure restarts it', pod('OnFailure'), [], [{ name: 'a', ...done(1) }], false, 'Running'],
    ['back-off after exit 1, OnFailure', pod('OnFailure'), [], [{ name: 'a', ...waitingAfter(1) }], false, 'Running'],
    ['exited 0, OnFailure', pod('OnFailure'), [], [{ name: 'a', ...done(0) }], false, 'Succeeded'],
    ['init container running', pod('Always', [{ name: 'i' }]), [{ name: 'i', ...running }], [{ name: 'a', ...waitingFresh }], false, 'Pending'],
    ['init container failed, Never', pod('Never', [{ name: 'i' }]), [{ name: 'i', ...done(2) }], [{ name: 'a', ...waitingFresh }], false, 'Failed'],
    ['init container failed, Always retries', pod('Always', [{ name: 'i' }]), [{ name: 'i', ...waitingAfter(2) }], [{ name: 'a', ...waitingFresh }], false, 'Pending'],
    ['sidecar running but not started', pod('Always', [{ name: 's', restartPolicy: 'Always' }]), [{ name: 's', ...running, started: false }], [{ name: 'a', ...waitingFresh }], false, 'Pending'],
    ['sidecar running, main done (Never)', pod('Never', [{ name: 's', restartPolicy: 'Always' }]), [{ name: 's', ...done(137) }], [{ name: 'a', ...done(0) }], false, 'Succeeded'],
    ['terminal: everything stopped after deletion', pod('Always'), [], [{ name: 'a', ...done(0) }], true, 'Succeeded'],
    ['terminal: killed', pod('Always'), [], [{ name: 'a', ...done(137) }], true, 'Failed'],
  ];
  it.each(cases)('%s', (_name, p, init, main, terminal, want) => {
    expect(podPhase(p, init, main, terminal)).toBe(want);
  });
});

function runtime(containers: Partial<PodRuntime['containers'][number]>[]): PodRuntime {
  const ns = (ms: number) => ms * 1e6;
  return {
    uid: 'u1', name: 'p', namespace: 'ns',
    sandboxes: [{ id: 'sb', attempt: 0, state: 'SANDBOX_READY', createdAt: 1, uid: 'u1', name: 'p', namespace: 'ns' }],
    containers: containers.map((c, i) => ({
      id: `c${i}`, sandboxId: 'sb', name: 'a', attempt: 0, state: 'CONTAINER_RUNNING', createdAt: ns(Date.UTC(2026, 0, 1, 0, 0, 10 - i)),
      startedAt: ns(Date.UTC(2026, 0, 1, 0, 0, 10 - i)), finishedAt: 0, exitCode: 0, reason: '', message: '', image: 'img', imageRef: 'sha256:abc',
      restartCount: 0, hash: '', type: 'regular', podUid: 'u1', labels: {}, annotations: {}, ...c,
    })),
  };
}

const inputs = (p: any, rt: PodRuntime | undefined, reasons = new Map()) => ({
  pod: p, rt, reasons, hostIP: '127.0.0.1', podIP: '10.1.0.2', qosClass: 'BestEffort',
  isReady: () => true, isStarted: () => true, now: new Date(Date.UTC(2026, 0, 1, 0, 1, 0)),
});

describe('generateStatus', () => {
  it('reports a running container with its id, image and readiness, and the pod Ready', () => {
    const p = pod('Always', [], [{ name: 'a', image: 'k8ts.local/busybox:1.36' } as any]);
    const s = generateStatus(inputs(p, runtime([{}])));
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.1.0.2');
    expect(s.hostIPs).toEqual([{ ip: '127.0.0.1' }]);
    expect(s.containerStatuses[0]).toEqual({
      name: 'a', state: { running: { startedAt: '2026-01-01T00:00:10Z' } }, lastState: {}, ready: true, restartCount: 0,
      image: 'k8ts.local/busybox:1.36', imageID: 'sha256:abc', containerID: 'containerd://c0', started: true,
    });
    expect(s.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True',
    ]);
  });

  it('shows a back-off as waiting with the previous run as lastState', () => {
    const p = pod('Always');
    const rt = runtime([{ state: 'CONTAINER_EXITED', exitCode: 3, reason: 'Error', finishedAt: 5e15, restartCount: 1 }, { state: 'CONTAINER_EXITED', exitCode: 3, finishedAt: 4e15 }]);
    const reasons = new Map([['a', { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=a pod=p_ns(u1)' }]]);
    const s = generateStatus(inputs(p, rt, reasons));
    expect(s.containerStatuses[0].state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=a pod=p_ns(u1)' } });
    expect(s.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error', containerID: 'containerd://c0' });
    expect(s.containerStatuses[0].restartCount).toBe(1);
    expect(s.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a]' });
  });

  it('keeps main containers waiting in PodInitializing until init containers are done', () => {
    const p = pod('Always', [{ name: 'i1' }, { name: 'i2' }]);
    const s = generateStatus(inputs(p, runtime([{ name: 'i1', type: 'init' }])));
    expect(s.phase).toBe('Pending');
    expect(s.initContainerStatuses.map((c: any) => Object.keys(c.state)[0])).toEqual(['running', 'waiting']);
    expect(s.containerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.conditions.find((c: any) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i1 i2]' });
  });

  it('keeps lastTransitionTime of unchanged conditions and gives no patch when nothing changed', () => {
    const p = pod('Always');
    const first = generateStatus(inputs(p, runtime([{}])));
    const later = generateStatus({ ...inputs({ ...p, status: first }, runtime([{}])), now: new Date(Date.UTC(2026, 0, 1, 1, 0, 0)) });
    expect(later.conditions).toEqual(first.conditions);
    expect(statusPatch({ ...p, status: first }, later)).toBeUndefined();
    const changed = generateStatus({ ...inputs({ ...p, status: first }, runtime([{ state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: 5e15 }])) });
    expect(Object.keys(statusPatch({ ...p, status: first }, changed)!).sort()).toEqual(['conditions', 'containerStatuses']);
  });
});

describe('restart back-off', () => {
  it('lets the first restart go, then waits 10 s doubling up to 5 min', () => {
    let now = 0;
    const b = new Backoff({ now: () => now });
    expect(b.remaining('k', now)).toBe(0);
    b.next('k');
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      delays.push(b.remaining('k', now));
      b.next('k');
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    now += 11 * 60_000;
    expect(b.remaining('k', now)).toBe(0);
  });

  it('formats back-off delays as Go durations', () => {
    expect([10_000, 20_000, 80_000, 160_000, 300_000].map(goDuration)).toEqual(['10s', '20s', '1m20s', '2m40s', '5m0s']);
  });
});

describe('imagePullPolicy defaults', () => {
  it.each([
    ['k8ts.local/busybox:1.36', 'IfNotPresent'],
    ['k8ts.local/busybox', 'Always'],
    ['k8ts.local/busybox:latest', 'Always'],
    ['localhost:5000/busybox', 'Always'],
    ['localhost:5000/busybox:1.0', 'IfNotPresent'],
    ['busybox@sha256:0123', 'IfNotPresent'],
  ])('%s → %s', (image, want) => {
    expect(pullPolicy({ image })).toBe(want);
  });
});

describe('dead container garbage collection', () => {
  it('keeps, per container name, the newest container and one dead one before it', async () => {
    const removed: string[] = [];
    const rec = async (req: any) => {
      removed.push(req.containerId ?? req.podSandboxId);
      return {};
    };
    const syncer = new PodSyncer({ runtime: { runtime: { removeContainer: rec, removePodSandbox: rec } } } as any);
    const exited = { state: 'CONTAINER_EXITED' as const, finishedAt: 1 };
    // a: running, then three dead runs; b: dead (current), then two dead runs; c: in an old sandbox.
    const rt = runtime([
      { id: 'a3', name: 'a' }, { id: 'a2', name: 'a', ...exited }, { id: 'a1', name: 'a', ...exited }, { id: 'a0', name: 'a', ...exited },
      { id: 'b2', name: 'b', ...exited }, { id: 'b1', name: 'b', ...exited }, { id: 'b0', name: 'b', ...exited },
      { id: 'c0', name: 'c', sandboxId: 'old', ...exited },
    ]);
    await syncer.garbageCollect(rt);
    expect(removed.sort()).toEqual(['a0', 'a1', 'b0', 'c0']);
  });
});
