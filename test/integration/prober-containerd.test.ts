/**
 * Exec probes and exec hooks against a real container: containerd started by k8ts' supervisor in a
 * temp data dir, the busybox test image, a host-network sandbox; commands run through CRI ExecSync
 * via criCommandRunner. Also an httpGet probe against busybox httpd inside the container.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient, type PodSandboxConfig } from '../../src/kubelet/cri/index.js';
import { startContainerd, type ContainerdHandle } from '../../src/kubelet/containerd/index.js';
import { BUSYBOX_IMAGE, ensureBuiltinImages, importImageArchive } from '../../src/kubelet/images/index.js';
import {
  ProbeManager, criCommandRunner, runProbe, runProbeHandler, type CommandRunner, type ProbeResultUpdate,
} from '../../src/kubelet/prober/index.js';
import { runHandler, runPostStart, runPreStop } from '../../src/kubelet/lifecycle/index.js';
import { tearDownCri } from '../helpers/cri.js';
import { ensureTestImages } from '../helpers/images.js';
import { pollUntil } from '../helpers/poll.js';

const TEST_LABEL = 'k8ts.test/prober';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('probes and hooks in a containerd container', () => {
  let dataDir: string;
  let ctrd: ContainerdHandle;
  let cri: CriClient;
  let runner: CommandRunner;
  let containerId = '';
  let httpPort = 0;
  const runId = randomUUID().slice(0, 8);
  const container: Container = {
    name: 'app', image: BUSYBOX_IMAGE, env: [{ name: 'MARK', value: 'from-env' }],
  };
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probed', namespace: 'default', uid: randomUUID() },
    spec: { containers: [container] },
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-prober-'));
    ctrd = await startContainerd({ dataDir });
    cri = await CriClient.connect(ctrd.endpoint);
    await ensureBuiltinImages(cri);
    await importImageArchive(ctrd.endpoint, (await ensureTestImages()).busybox);
    runner = criCommandRunner(cri.runtime);
    httpPort = await freePort();
    const uid = pod.metadata!.uid!;
    const config: PodSandboxConfig = {
      metadata: { name: 'probed', namespace: 'default', uid, attempt: 0 },
      logDirectory: join(dataDir, 'agent', 'pod-logs', `default_probed_${uid}`),
      labels: { 'io.kubernetes.pod.name': 'probed', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid, [TEST_LABEL]: runId },
      linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
    ({ containerId } = await cri.runtime.createContainer({
      podSandboxId, sandboxConfig: config,
      config: {
        metadata: { name: 'app', attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: ['sh', '-c', `mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 127.0.0.1:${httpPort} -h /www`],
        envs: [{ key: 'MARK', value: 'from-env' }],
        logPath: 'app/0.log',
        labels: { 'io.kubernetes.container.name': 'app' },
      },
    }));
    await cri.runtime.startContainer({ containerId });
  });

  afterAll(async () => {
    await tearDownCri({ cri, ctrd, dataDir, label: TEST_LABEL, runId });
  });

  const target = () => ({ container, containerId, podIP: '127.0.0.1' });

  it('exec probes: exit 0 succeeds with the output, non-zero fails with stdout and stderr, $(VAR) expands', async () => {
    expect(await runProbeHandler({ exec: { command: ['sh', '-c', 'echo fine'] } }, target(), { runner }))
      .toEqual({ result: 'success', output: 'fine\n' });
    const failed = await runProbe('liveness', { exec: { command: ['sh', '-c', 'echo bad; echo worse >&2; exit 1'] } }, target(), { runner });
    expect(failed.result).toBe('failure');
    expect(failed.event).toEqual({ type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: bad\nworse\n' });
    expect(await runProbeHandler({ exec: { command: ['echo', '$(MARK)', '$$(MARK)', '$(NOPE)'] } }, target(), { runner }))
      .toEqual({ result: 'success', output: 'from-env $(MARK) $(NOPE)\n' });
  });

  it('an exec probe whose command cannot start errors with the runtime\'s gRPC error', async () => {
    const attempt = await runProbe('liveness', { exec: { command: ['no-such-command'] } }, target(), { runner });
    expect(attempt.result).toBeUndefined();
    expect(attempt.event?.reason).toBe('Unhealthy');
    expect(attempt.event?.message).toMatch(/^Liveness probe errored: rpc error: code = \w+ desc = .*no-such-command/);
  });

  it('an exec probe that outlives timeoutSeconds fails as timed out', async () => {
    const out = await runProbeHandler({ exec: { command: ['sleep', '30'] }, timeoutSeconds: 1 }, target(), { runner });
    expect(out).toEqual({ result: 'failure', output: 'command "sleep 30" timed out' });
  });

  it('an httpGet probe reaches busybox httpd in the container', async () => {
    expect(await runProbeHandler({ httpGet: { path: '/index.html', port: httpPort } }, target(), {}))
      .toEqual({ result: 'success', output: 'hello\n' });
    const missing = await runProbeHandler({ httpGet: { path: '/missing', port: httpPort } }, target(), {});
    expect(missing).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
  });

  it('readiness by exec follows a file the container gains', async () => {
    const results: ProbeResultUpdate[] = [];
    const m = new ProbeManager({ runner, secondMs: 50, onResult: (u) => results.push(u) });
    try {
      const c: Container = { ...container, readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 } };
      const p: Pod = { ...pod, spec: { containers: [c] } };
      const st: PodStatus = { phase: 'Running', podIP: '127.0.0.1', containerStatuses: [{
        name: 'app', containerID: `containerd://${containerId}`, image: BUSYBOX_IMAGE, imageID: '', ready: false, restartCount: 0,
        state: { running: { startedAt: new Date(Date.now() - 60_000).toISOString() } },
      }] };
      m.add(p, st);
      await pollUntil(async () => results.length > 0, 'the initial readiness value');
      expect(m.isReady(pod.metadata!.uid!, 'app')).toBe(false);
      await runner.runInContainer(containerId, ['touch', '/tmp/ready'], 5);
      await pollUntil(async () => m.isReady(pod.metadata!.uid!, 'app'), 'ready after the file exists');
      expect(results.filter((r) => !r.initial).map((r) => r.result)).toEqual(['success']);
    } finally {
      m.stop();
    }
  });

  it('exec hooks: postStart runs in the container; a failing one reports upstream\'s message', async () => {
    const ctx = { pod, containerId, podIP: '127.0.0.1', runner };
    const ok = await runPostStart({ ...ctx, container: { ...container, lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo started > /tmp/poststart'] } } } } });
    expect(ok).toEqual({ ok: true, message: '' });
    const cat = await runner.runInContainer(containerId, ['cat', '/tmp/poststart'], 5);
    expect(cat.stdout.toString()).toBe('started\n');

    const bad = await runHandler({ exec: { command: ['sh', '-c', 'echo no >&2; exit 2'] } }, { ...ctx, container });
    expect(bad.ok).toBe(false);
    expect(bad.message).toBe(
      `Exec lifecycle hook ([sh -c echo no >&2; exit 2]) for Container "app" in Pod "probed_default(${pod.metadata!.uid})" failed - ` +
      `error: command 'sh -c echo no >&2; exit 2' exited with 2: no\n, message: "no\\n"`);
  });

  it('a preStop exec hook longer than the grace period is cut off at it', async () => {
    const c: Container = { ...container, lifecycle: { preStop: { exec: { command: ['sleep', '600'] } } } };
    const r = await runPreStop({ pod, container: c, containerId, podIP: '127.0.0.1', runner, secondMs: 100 }, 2);
    expect(r).toMatchObject({ timedOut: true, elapsedSeconds: 2, remainingGraceSeconds: 2 });
  });
});
