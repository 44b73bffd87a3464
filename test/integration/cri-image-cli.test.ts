/**
 * `k8ts image build` and `k8ts image import` against a containerd run by k8ts' supervisor, and the
 * air-gapped images directory a node imports at start.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient } from '../../src/kubelet/cri/index.js';
import { containerdLayout, startContainerd, type ContainerdHandle } from '../../src/kubelet/containerd/index.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE, imagesDir, importImageDir } from '../../src/kubelet/images/index.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

async function k8ts(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('k8ts image', () => {
  let dataDir: string;
  let outDir: string;
  let ctrd: ContainerdHandle;
  let cri: CriClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-img-'));
    outDir = join(dataDir, 'out');
    ctrd = await startContainerd({ dataDir });
    cri = await CriClient.connect(ctrd.endpoint);
  });

  afterAll(async () => {
    cri?.close();
    await ctrd?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('build writes the pause and busybox archives', async () => {
    const r = await k8ts(['image', 'build', '--out', outDir]);
    expect(r.stderr).not.toMatch(/k8ts:/);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((row) => [row[0], row[1]])).toEqual([
      [join(outDir, 'pause.tar'), PAUSE_IMAGE],
      [join(outDir, 'busybox.tar'), BUSYBOX_IMAGE],
    ]);
    expect(rows.every((row) => /^sha256:[0-9a-f]{64}$/.test(row[2]!))).toBe(true);
  });

  it('import puts an archive into the data dir\'s containerd, optionally under another name', async () => {
    const r = await k8ts(['image', 'import', '--data-dir', dataDir, '--name', 'k8ts.local/mybox:1.0', join(outDir, 'busybox.tar')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`imported ${BUSYBOX_IMAGE}\n`);
    expect((await cri.image.imageStatus({ image: { image: BUSYBOX_IMAGE } })).image?.repoTags).toContain(BUSYBOX_IMAGE);
    expect((await cri.image.imageStatus({ image: { image: 'k8ts.local/mybox:1.0' } })).image).not.toBeNull();
  });

  it('import via --container-runtime-endpoint', async () => {
    const r = await k8ts(['image', 'import', '--container-runtime-endpoint', ctrd.endpoint, join(outDir, 'pause.tar')]);
    expect(r.stdout).toBe(`imported ${PAUSE_IMAGE}\n`);
    expect((await cri.image.imageStatus({ image: { image: PAUSE_IMAGE } })).image).not.toBeNull();
  });

  it('list shows the node\'s images like crictl images', async () => {
    const r = await k8ts(['image', 'list', '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^k8ts\.local\/busybox\s+1\.36\s+[0-9a-f]{13}\s+\d+(\.\d+)?[kM]B$/),
      expect.stringMatching(/^k8ts\.local\/pause\s+3\.10\s+[0-9a-f]{13}\s+\d+(\.\d+)?kB$/),
    ]));
  });

  it('import without a running node says how to get one, and a missing file says so', async () => {
    const other = join(dataDir, 'no-node');
    const r = await k8ts(['image', 'import', '--data-dir', other, join(outDir, 'pause.tar')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`k8ts: no containerd socket at ${join(other, 'agent', 'containerd', 'containerd.sock')}`);
    const m = await k8ts(['image', 'import', '--data-dir', dataDir, join(outDir, 'missing.tar')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`open ${join(outDir, 'missing.tar')}: no such file or directory`);
  });

  it('importImageDir imports every archive in D/images and reports bad ones without stopping', async () => {
    await cri.image.removeImage({ image: { image: PAUSE_IMAGE } });
    expect((await cri.image.imageStatus({ image: { image: PAUSE_IMAGE } })).image).toBeNull();
    const dir = imagesDir(dataDir);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(outDir, 'pause.tar'), join(dir, 'b-pause.tar'));
    copyFileSync(join(outDir, 'busybox.tar'), join(dir, 'a-broken.tar.partial')); // not *.tar: ignored
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'a-bad.tar'));
    const messages: string[] = [];
    const done = await importImageDir(ctrd.endpoint, dir, (m) => messages.push(m));
    expect(done).toEqual([{ file: join(dir, 'b-pause.tar'), images: [PAUSE_IMAGE] }]);
    expect(messages.some((m) => m.startsWith(`importing ${join(dir, 'a-bad.tar')} into containerd failed`))).toBe(true);
    expect((await cri.image.imageStatus({ image: { image: PAUSE_IMAGE } })).image).not.toBeNull();
    expect(await importImageDir(ctrd.endpoint, join(dataDir, 'absent'))).toEqual([]);
    expect(existsSync(join(dataDir, 'absent'))).toBe(false);
  });
});

describe('containerd supervisor', () => {
  it('adopts an existing CRI endpoint without running containerd', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-sup-'));
    const own = await startContainerd({ dataDir });
    try {
      const other = join(dataDir, 'other');
      const adopted = await startContainerd({ dataDir: other, endpoint: own.endpoint });
      expect(adopted.managed).toBe(false);
      expect(adopted.endpoint).toBe(own.endpoint);
      expect(adopted.version.runtimeName).toBe('containerd');
      expect(adopted.pid()).toBeUndefined();
      expect(existsSync(join(other, 'agent', 'containerd', 'config.toml'))).toBe(false);
      await adopted.stop();
      expect(own.pid()).toBeGreaterThan(0);
    } finally {
      await own.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reports why containerd died at start instead of waiting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-sup-'));
    try {
      // Something that is not a socket where containerd must listen.
      const { socket } = containerdLayout(dataDir);
      mkdirSync(join(socket, 'in-the-way'), { recursive: true });
      const err = (await startContainerd({ dataDir }).then(() => undefined, (e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/^containerd exited \(code 1\); last lines of .*containerd\.log:\n/);
      expect(err.message).toContain('failed to get listener for main endpoint: is a directory');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('replaces a containerd left running by a k8ts that died', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-sup-'));
    const first = await startContainerd({ dataDir });
    const layout = first.layout!;
    await first.stop();
    // What a crashed k8ts leaves behind: its containerd still running, with the pid file.
    const orphan = spawn('containerd', ['--config', layout.config], { stdio: 'ignore', detached: true });
    orphan.unref();
    writeFileSync(layout.pidFile, `${orphan.pid}\n`);
    const gone = new Promise<void>((r) => orphan.once('exit', () => r()));
    try {
      for (let i = 0; ; i++) {
        const c = await CriClient.connect(`unix://${layout.socket}`, { timeoutMs: 1000 }).catch(() => undefined);
        if (c) { c.close(); break; }
        if (i > 200) throw new Error('the orphan containerd never answered');
        await new Promise((r) => setTimeout(r, 50));
      }
      const second = await startContainerd({ dataDir });
      try {
        await gone;
        expect(orphan.exitCode !== null || orphan.signalCode !== null).toBe(true);
        expect(second.pid()).not.toBe(orphan.pid);
        const c = await CriClient.connect(second.endpoint);
        expect((await c.runtime.version({})).runtimeName).toBe('containerd');
        c.close();
      } finally {
        await second.stop();
      }
    } finally {
      if (orphan.exitCode === null && orphan.signalCode === null) orphan.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
