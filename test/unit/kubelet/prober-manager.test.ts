/**
 * ProbeManager against a real HTTP server on 127.0.0.1 with shrunken seconds (secondMs): failure
 * and success thresholds, liveness hold until a new container, startup gating of readiness and
 * liveness, Ready/Started as upstream computes them, initial delay, pod deletion, removal. Counts
 * and order are asserted, never durations; another probe's requests serve as the clock.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container, ContainerStatus, Pod, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProbeManager, type ProbeEventRecord, type ProbeResultUpdate } from '../../../src/kubelet/prober/index.js';
import { pollUntil } from '../../helpers/poll.js';

const codes = new Map<string, number>();
const log: string[] = [];
const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  log.push(path);
  const code = codes.get(path) ?? 200;
  res.writeHead(code);
  res.end(`answer ${code}`);
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

const hits = (path: string): number => log.filter((p) => p === path).length;
let seq = 0;
/** A fresh path per test so counts never mix. */
const path = (name: string): string => `/${name}-${++seq}`;
const get = (p: string, extra: Partial<Probe> = {}): Probe => ({ httpGet: { path: p, port }, periodSeconds: 1, ...extra });

const managers: ProbeManager[] = [];
afterEach(() => { while (managers.length) managers.pop()!.stop(); });

function setup(after: { onResult?: (u: ProbeResultUpdate) => void } = {}) {
  const results: ProbeResultUpdate[] = [];
  const events: ProbeEventRecord[] = [];
  const m = new ProbeManager({
    secondMs: 10,
    onResult: (u) => { results.push(u); after.onResult?.(u); },
    onEvent: (e) => events.push(e),
  });
  managers.push(m);
  return { m, results, events };
}

function pod(uid: string, containers: Container[], extra: Partial<Pod['spec']> = {}, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${uid}`, namespace: 'default', uid, ...meta },
    spec: { containers, terminationGracePeriodSeconds: 30, ...extra },
  };
}

function running(name: string, id: string, startedAt = new Date(Date.now() - 3600_000)): ContainerStatus {
  return {
    name, containerID: `containerd://${id}`, image: 'img', imageID: '', ready: false, restartCount: 0,
    state: { running: { startedAt: startedAt.toISOString() } },
  };
}

const status = (...cs: ContainerStatus[]): PodStatus => ({ phase: 'Running', podIP: '127.0.0.1', containerStatuses: cs });

describe('ProbeManager', () => {
  it('reports a liveness failure after failureThreshold failures, then holds until a new container', async () => {
    let hitsAtFailure = -1;
    let eventsAtFailure = -1;
    const { m, results, events } = setup({
      onResult: (u) => {
        if (u.probe === 'liveness' && u.result === 'failure') { hitsAtFailure = hits(live); eventsAtFailure = events.filter((e) => e.probe === 'liveness').length; }
      },
    });
    const live = path('live');
    const clock = path('clock');
    codes.set(live, 500);
    const p = pod('u1', [
      { name: 'app', image: 'img', livenessProbe: get(live, { failureThreshold: 3, terminationGracePeriodSeconds: 7 }) },
      { name: 'tick', image: 'img', readinessProbe: get(clock) },
    ]);
    m.add(p, status(running('app', 'a1'), running('tick', 't1')));

    await pollUntil(async () => hitsAtFailure >= 0, 'the liveness failure');
    expect(hitsAtFailure).toBe(3);
    expect(eventsAtFailure).toBe(3);
    expect(events[0]).toMatchObject({
      podUid: 'u1', container: 'app', containerId: 'containerd://a1', fieldPath: 'spec.containers{app}', probe: 'liveness',
      type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500',
    });
    const failure = results.find((r) => r.probe === 'liveness' && r.result === 'failure')!;
    expect(failure).toMatchObject({ container: 'app', containerId: 'containerd://a1', initial: false, terminationGracePeriodSeconds: 7,
      output: 'HTTP probe failed with statuscode: 500' });
    expect(m.getResult('containerd://a1', 'liveness')).toBe('failure');

    // On hold: the clock ticks on, the failed container is not probed again.
    const clockNow = hits(clock);
    await pollUntil(async () => hits(clock) >= clockNow + 5, 'five more clock probes');
    expect(hits(live)).toBe(3);

    // The agent restarted the container: a new id resumes probing from the initial value.
    m.update(p, status(running('app', 'a2'), running('tick', 't1')));
    await pollUntil(async () => hits(live) > 3, 'probing of the new container');
    expect(results.find((r) => r.containerId === 'containerd://a2' && r.probe === 'liveness'))
      .toMatchObject({ result: 'success', initial: true });
    expect(m.getResult('containerd://a1', 'liveness')).toBeUndefined();
  });

  it('marks ready after successThreshold successes and unready on failure, with upstream events', async () => {
    const { m, results, events } = setup();
    const ready = path('ready');
    const p = pod('u2', [{ name: 'web', image: 'img', readinessProbe: get(ready, { successThreshold: 2, failureThreshold: 1 }) }]);
    let hitsAtReady = -1;
    m.add(p);
    expect(m.isReady('u2', 'web')).toBe(false);
    const s = status(running('web', 'w1'));
    m.update(p, s);
    await pollUntil(async () => {
      if (results.some((r) => r.probe === 'readiness' && r.result === 'success') && hitsAtReady < 0) hitsAtReady = hits(ready);
      return hitsAtReady >= 0;
    }, 'readiness success', 600, 2);
    expect(results.filter((r) => r.probe === 'readiness').map((r) => [r.result, r.initial]).slice(0, 2))
      .toEqual([['failure', true], ['success', false]]);
    expect(hitsAtReady).toBeGreaterThanOrEqual(2);
    expect(m.isReady('u2', 'web')).toBe(true);
    const updated = m.updatePodStatus(p, status(running('web', 'w1')));
    expect(updated.containerStatuses![0]).toMatchObject({ ready: true, started: true });

    codes.set(ready, 503);
    await pollUntil(async () => !m.isReady('u2', 'web'), 'unready after a failure');
    expect(events.at(-1)).toMatchObject({ reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' });
  });

  it('runs no readiness or liveness probe until the startup probe succeeded, then stops the startup probe', async () => {
    const { m, results } = setup();
    const startup = path('startup');
    const ready = path('ready');
    const live = path('live');
    codes.set(startup, 500);
    const p = pod('u3', [{
      name: 'slow', image: 'img',
      startupProbe: get(startup, { failureThreshold: 100 }), readinessProbe: get(ready), livenessProbe: get(live),
    }]);
    m.add(p, status(running('slow', 's1')));
    await pollUntil(async () => hits(startup) >= 4, 'four startup probes');
    expect(hits(ready) + hits(live)).toBe(0);
    expect(m.isStarted('u3', 'slow')).toBe(false);
    expect(m.isReady('u3', 'slow')).toBe(false);
    expect(m.updatePodStatus(p, status(running('slow', 's1'))).containerStatuses![0]).toMatchObject({ started: false, ready: false });

    codes.set(startup, 200);
    await pollUntil(async () => m.isReady('u3', 'slow'), 'ready after startup');
    expect(m.isStarted('u3', 'slow')).toBe(true);
    const firstOther = log.findIndex((l) => l === ready || l === live);
    const lastStartup = log.lastIndexOf(startup);
    expect(firstOther).toBeGreaterThan(log.indexOf(startup));
    expect(results.find((r) => r.probe === 'startup' && r.result === 'success')).toBeDefined();

    // Startup probing has stopped; readiness goes on.
    const readyNow = hits(ready);
    await pollUntil(async () => hits(ready) >= readyNow + 4, 'more readiness probes');
    expect(log.lastIndexOf(startup)).toBe(lastStartup);
  });

  it('without probes a running container is started and ready; a not-running one is neither', () => {
    const { m } = setup();
    const p = pod('u4', [{ name: 'plain', image: 'img' }]);
    m.add(p, status(running('plain', 'p1')));
    expect(m.isStarted('u4', 'plain')).toBe(true);
    expect(m.isReady('u4', 'plain')).toBe(true);
    m.update(p, status({ name: 'plain', containerID: 'containerd://p1', image: 'img', imageID: '', ready: false, restartCount: 0,
      state: { terminated: { exitCode: 1, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() } } }));
    expect(m.isStarted('u4', 'plain')).toBe(false);
    expect(m.isReady('u4', 'plain')).toBe(false);
  });

  it('treats sidecars like containers and plain init containers as ready once they exited 0', () => {
    const { m } = setup();
    const p = pod('u5', [{ name: 'main', image: 'img' }], {
      initContainers: [{ name: 'setup', image: 'img' }, { name: 'side', image: 'img', restartPolicy: 'Always', readinessProbe: get(path('side')) } as Container],
    });
    const st: PodStatus = {
      phase: 'Running', podIP: '127.0.0.1',
      initContainerStatuses: [
        { name: 'setup', image: 'img', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } },
        running('side', 'sd1'),
      ],
      containerStatuses: [running('main', 'm1')],
    };
    m.add(p, st);
    expect(m.hasProbe('u5', 'side', 'readiness')).toBe(true);
    const out = m.updatePodStatus(p, st);
    expect(out.initContainerStatuses!.map((c) => [c.name, c.ready])).toEqual([['setup', true], ['side', false]]);
    expect(out.containerStatuses![0]!.ready).toBe(true);
  });

  it('does not probe before initialDelaySeconds have passed since the container started', async () => {
    const { m } = setup();
    const delayed = path('delayed');
    const clock = path('clock');
    m.add(pod('u6', [
      { name: 'late', image: 'img', readinessProbe: get(delayed, { initialDelaySeconds: 100_000 }) },
      { name: 'tick', image: 'img', readinessProbe: get(clock) },
    ]), status(running('late', 'l1', new Date()), running('tick', 't1', new Date())));
    await pollUntil(async () => hits(clock) >= 5, 'five clock probes');
    expect(hits(delayed)).toBe(0);
    expect(m.isReady('u6', 'late')).toBe(false);
  });

  it('reports liveness success and stops probing once the pod is being deleted', async () => {
    const { m, results } = setup();
    const live = path('live');
    codes.set(live, 500);
    const p = pod('u7', [{ name: 'app', image: 'img', livenessProbe: get(live, { failureThreshold: 1 }) }], {},
      { deletionTimestamp: new Date().toISOString() });
    m.add(p, status(running('app', 'd1')));
    await pollUntil(async () => !m.hasProbe('u7', 'app', 'liveness'), 'the liveness worker to end');
    expect(hits(live)).toBe(0);
    expect(results.filter((r) => r.probe === 'liveness').every((r) => r.result === 'success')).toBe(true);
  });

  it('ends readiness workers of a terminated container under restartPolicy Never, and all workers on remove', async () => {
    const { m } = setup();
    const ready = path('ready');
    const p = pod('u8', [{ name: 'job', image: 'img', readinessProbe: get(ready) }], { restartPolicy: 'Never' });
    m.add(p, status({ name: 'job', containerID: 'containerd://j1', image: 'img', imageID: '', ready: false, restartCount: 0,
      state: { terminated: { exitCode: 0 } } }));
    await pollUntil(async () => !m.hasProbe('u8', 'job', 'readiness'), 'the readiness worker to end');
    expect(hits(ready)).toBe(0);

    const other = path('other');
    const clock = path('clock');
    m.add(pod('u9', [{ name: 'a', image: 'img', readinessProbe: get(other) }]), status(running('a', 'o1')));
    m.add(pod('u10', [{ name: 'b', image: 'img', readinessProbe: get(clock) }]), status(running('b', 'c1')));
    await pollUntil(async () => hits(other) >= 1, 'a first probe');
    m.remove('u9');
    // A request already on the wire when remove() ran may still arrive; let two clock ticks pass.
    const removedAt = hits(clock);
    await pollUntil(async () => hits(clock) >= removedAt + 2, 'two more clock probes');
    const after = hits(other);
    const clockNow = hits(clock);
    await pollUntil(async () => hits(clock) >= clockNow + 5, 'five more clock probes');
    expect(hits(other)).toBe(after);
    expect(m.isReady('u9', 'a')).toBe(false);
  });
});
