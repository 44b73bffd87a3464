/**
 * The node runtime for real: containerd started by k8ts' supervisor in a temp data dir, the
 * built-in images imported with ctr, a host-network pod sandbox with containers driven through
 * k8ts' own CRI client, the CRI log file containerd writes, ExecSync, and supervision (restart
 * after containerd dies, containers surviving it).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient, CriError, GrpcCode, type PodSandboxConfig } from '../../src/kubelet/cri/index.js';
import { CONTAINERD_MISSING, startContainerd, type ContainerdHandle } from '../../src/kubelet/containerd/index.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE, ensureBuiltinImages, importImageArchive } from '../../src/kubelet/images/index.js';
import { tearDownCri } from '../helpers/cri.js';
import { ensureTestImages } from '../helpers/images.js';

/** Polls `fn` until it returns a value (not undefined), then returns it; fails naming `what`. */
async function poll<T>(fn: () => T | undefined | Promise<T | undefined>, o: { what: string; tries?: number }): Promise<T> {
  let last: unknown;
  for (let i = 0; i < (o.tries ?? 600); i++) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${o.what}${last ? `: ${(last as Error).message}` : ''}`);
}

const TEST_LABEL = 'k8ts.test/cri-runtime';

describe('containerd via the CRI client', () => {
  let dataDir: string;
  let ctrd: ContainerdHandle;
  let cri: CriClient;
  const runId = randomUUID().slice(0, 8);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
    ctrd = await startContainerd({ dataDir });
    cri = await CriClient.connect(ctrd.endpoint);
  });

  afterAll(async () => {
    await tearDownCri({ cri, ctrd, dataDir, label: TEST_LABEL, runId });
  });

  function sandboxConfig(name: string): PodSandboxConfig {
    const uid = randomUUID();
    return {
      metadata: { name, namespace: 'default', uid, attempt: 0 },
      // containerd 1.6 refuses a hostname for a sandbox in the node's network (and UTS) namespace.
      logDirectory: join(dataDir, 'agent', 'pod-logs', `default_${name}_${uid}`),
      labels: {
        'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid,
        [TEST_LABEL]: runId,
      },
      linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
    };
  }

  async function waitExited(id: string) {
    return poll(async () => {
      const { status } = await cri.runtime.containerStatus({ containerId: id });
      return status?.state === 'CONTAINER_EXITED' ? status : undefined;
    }, { what: `container ${id} to exit` });
  }

  it('answers Version as a CRI v1 containerd', () => {
    expect(ctrd.managed).toBe(true);
    expect(ctrd.endpoint).toBe(`unix://${join(dataDir, 'agent', 'containerd', 'containerd.sock')}`);
    expect(ctrd.version.runtimeName).toBe('containerd');
    expect(ctrd.version.runtimeApiVersion).toBe('v1');
    expect(readFileSync(join(dataDir, 'agent', 'containerd', 'config.toml'), 'utf8')).toContain(`sandbox_image = "${PAUSE_IMAGE}"`);
  });

  it('builds and imports the pause image only when missing, and imports the busybox archive', async () => {
    expect((await cri.image.imageStatus({ image: { image: PAUSE_IMAGE } })).image).toBeNull();
    expect(await ensureBuiltinImages(cri)).toEqual([PAUSE_IMAGE]);
    expect(await ensureBuiltinImages(cri)).toEqual([]);
    const { busybox } = await ensureTestImages();
    expect(await importImageArchive(ctrd.endpoint, busybox)).toEqual([BUSYBOX_IMAGE]);
    const { images } = await cri.image.listImages({});
    const tags = images.flatMap((i) => i.repoTags);
    expect(tags).toEqual(expect.arrayContaining([PAUSE_IMAGE, BUSYBOX_IMAGE]));
    const pause = images.find((i) => i.repoTags.includes(PAUSE_IMAGE))!;
    expect(pause.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pause.size).toBeGreaterThan(0);
  });

  it('runs a sandbox and a container whose output lands in the CRI log file', async () => {
    const config = sandboxConfig('echo');
    const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
    const status = (await cri.runtime.podSandboxStatus({ podSandboxId })).status!;
    expect(status.state).toBe('SANDBOX_READY');
    expect(status.metadata?.name).toBe('echo');
    expect(status.labels[TEST_LABEL]).toBe(runId);

    const { containerId } = await cri.runtime.createContainer({
      podSandboxId,
      sandboxConfig: config,
      config: {
        metadata: { name: 'hello', attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: ['sh', '-c'],
        args: ['echo "hello from $GREETING"; echo oops >&2; exit 7'],
        envs: [{ key: 'GREETING', value: 'k8ts' }],
        logPath: 'hello/0.log',
        labels: { 'io.kubernetes.container.name': 'hello' },
      },
    });
    await cri.runtime.startContainer({ containerId });
    const exited = await waitExited(containerId);
    expect(exited.exitCode).toBe(7);
    // (containerd may stamp a fast exit a little before the start it recorded, so no ordering check)
    expect(exited.startedAt).toBeGreaterThan(0);
    expect(exited.finishedAt).toBeGreaterThan(0);
    expect(exited.reason).toBe('Error');
    expect(exited.logPath).toBe(join(config.logDirectory!, 'hello/0.log'));

    const lines = await poll(() => {
      const text = readFileSync(join(config.logDirectory!, 'hello', '0.log'), 'utf8');
      const l = text.trimEnd().split('\n');
      return l.length >= 2 ? l : undefined;
    }, { what: 'both log lines' });
    const parsed = lines.map((l) => /^(\S+) (stdout|stderr) ([FP]) (.*)$/.exec(l));
    expect(parsed.every((m) => m && !Number.isNaN(Date.parse(m[1]!)))).toBe(true);
    expect(parsed.map((m) => `${m![2]} ${m![3]} ${m![4]}`).sort()).toEqual(['stderr F oops', 'stdout F hello from k8ts']);

    const listed = await cri.runtime.listContainers({ filter: { podSandboxId } });
    expect(listed.containers.map((c) => [c.id, c.state, c.metadata?.name])).toEqual([[containerId, 'CONTAINER_EXITED', 'hello']]);

    await cri.runtime.removeContainer({ containerId });
    const err = await cri.runtime.containerStatus({ containerId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect((err as CriError).code).toBe(GrpcCode.NOT_FOUND);

    await cri.runtime.stopPodSandbox({ podSandboxId });
    expect((await cri.runtime.podSandboxStatus({ podSandboxId })).status?.state).toBe('SANDBOX_NOTREADY');
    await cri.runtime.removePodSandbox({ podSandboxId });
    const left = await cri.runtime.listPodSandbox({ filter: { id: podSandboxId } });
    expect(left.items).toEqual([]);
  });

  it('ExecSync returns stdout, stderr and the exit code; containers survive a containerd crash and restart', async () => {
    const config = sandboxConfig('sleeper');
    const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
    const { containerId } = await cri.runtime.createContainer({
      podSandboxId,
      sandboxConfig: config,
      config: {
        metadata: { name: 'sleep' },
        image: { image: BUSYBOX_IMAGE },
        command: ['sleep', '3600'],
        logPath: 'sleep/0.log',
      },
    });
    await cri.runtime.startContainer({ containerId });
    expect((await cri.runtime.containerStatus({ containerId })).status?.state).toBe('CONTAINER_RUNNING');

    const r = await cri.runtime.execSync({ containerId, cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], timeout: 30 });
    expect(r.exitCode).toBe(3);
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
    const ok = await cri.runtime.execSync({ containerId, cmd: ['cat', '/etc/hostname'] });
    expect(ok.exitCode).toBe(0);

    // Stats and image filesystem usage decode with k8ts' field numbers.
    const { stats } = await cri.runtime.listContainerStats({ filter: { podSandboxId } });
    expect(stats.map((s) => s.attributes?.id)).toEqual([containerId]);
    expect(stats[0]!.cpu?.timestamp).toBeGreaterThan(0);
    expect(stats[0]!.writableLayer?.fsId?.mountpoint).toContain(dataDir);
    const fs = await cri.image.imageFsInfo({});
    expect(fs.imageFilesystems[0]?.fsId?.mountpoint).toContain(dataDir);
    // (usage figures come from containerd's periodic scan, so they may still be 0 here)

    // Kill containerd: the supervisor starts a new one, and the container is still running.
    const oldPid = ctrd.pid()!;
    expect(oldPid).toBeGreaterThan(0);
    process.kill(oldPid, 'SIGKILL');
    const status = await poll(async () => {
      const pid = ctrd.pid();
      if (!pid || pid === oldPid) return undefined;
      return (await cri.runtime.containerStatus({ containerId }).catch(() => undefined))?.status ?? undefined;
    }, { what: 'containerd to come back' });
    expect(status.state).toBe('CONTAINER_RUNNING');

    // A clean stop and a new start on the same data dir (an agent restart): still running.
    await ctrd.stop();
    expect(ctrd.pid()).toBeUndefined();
    ctrd = await startContainerd({ dataDir });
    expect(ctrd.pid()).not.toBe(oldPid);
    expect((await cri.runtime.containerStatus({ containerId })).status?.state).toBe('CONTAINER_RUNNING');
    expect((await cri.runtime.execSync({ containerId, cmd: ['echo', 'still here'] })).stdout.toString()).toBe('still here\n');

    await cri.runtime.stopContainer({ containerId, timeout: 0 });
    const exited = await waitExited(containerId);
    expect(exited.exitCode).toBe(137);
    await cri.runtime.removeContainer({ containerId });
    await cri.runtime.stopPodSandbox({ podSandboxId });
    await cri.runtime.removePodSandbox({ podSandboxId });
  });
});

describe('containerd supervisor without containerd installed', () => {
  it('says which Debian packages to install', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-cri-missing-'));
    try {
      await expect(startContainerd({ dataDir, path: join(dataDir, 'no-bin') })).rejects.toThrow(CONTAINERD_MISSING);
      expect(CONTAINERD_MISSING).toBe(
        'containerd not found: install Debian\'s containerd and runc packages (apt-get install containerd runc containernetworking-plugins)',
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
