/**
 * Runs containerd for a k8ts node: writes D/agent/containerd/config.toml, spawns
 * `containerd --config …` (output appended to containerd.log), waits until the CRI Version RPC
 * answers, restarts it with capped exponential back-off when it dies, and stops it on request.
 * Stopping containerd leaves the containers (their shims) running, so an agent restart does not
 * restart pods. With `endpoint` set it supervises nothing and only waits for that runtime.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { CriClient, type VersionResponse } from '../cri/index.js';
import { containerdConfigToml, containerdLayout, type ContainerdLayout } from './config.js';

export const CONTAINERD_MISSING =
  'containerd not found: install Debian\'s containerd and runc packages (apt-get install containerd runc containernetworking-plugins)';
export const RUNC_MISSING =
  'runc not found: install Debian\'s containerd and runc packages (apt-get install containerd runc containernetworking-plugins)';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface StartContainerdOptions {
  /** Server/agent data dir D; containerd lives in D/agent/containerd. */
  dataDir: string;
  log?: (msg: string) => void;
  cniBinDir?: string;
  /** Default D/agent/cni. */
  cniConfDir?: string;
  pauseImage?: string;
  /** Use this existing CRI endpoint (--container-runtime-endpoint) instead of running containerd. */
  endpoint?: string;
  /** PATH used to find containerd/runc and given to containerd (default: process PATH + system dirs). */
  path?: string;
  /** How long to wait for the CRI to answer (default 60 s). */
  startTimeoutMs?: number;
  logLevel?: string;
}

export interface ContainerdHandle {
  /** unix:///…/containerd.sock */
  endpoint: string;
  version: VersionResponse;
  /** true when k8ts runs this containerd (false for an existing endpoint). */
  managed: boolean;
  layout?: ContainerdLayout;
  /** PID of the current containerd process (managed only). */
  pid(): number | undefined;
  /** Stops supervising and terminates containerd (containers keep running). */
  stop(): Promise<void>;
}

/** Finds an executable on a PATH string. */
export function findExecutable(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function tail(file: string, lines = 6): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines)
      .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a containerd left behind by an earlier (crashed) k8ts for the same config. */
async function killStale(layout: ContainerdLayout, log: (m: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(layout.pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!pid || !alive(pid)) return;
  let cmdline = '';
  try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return; }
  if (!cmdline.includes('containerd') || !cmdline.includes(layout.config)) return;
  log(`stopping containerd left running by an earlier k8ts (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Waits until the CRI endpoint answers Version; rejects early when `exited()` says the process died. */
async function waitForCri(endpoint: string, timeoutMs: number, exited: () => string | undefined): Promise<VersionResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const gone = exited();
    if (gone) throw new Error(gone);
    try {
      const c = await CriClient.connect(endpoint, { timeoutMs: 2000 });
      try {
        return await c.runtime.version({ version: 'v1' });
      } finally {
        c.close();
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`container runtime at ${endpoint} did not answer within ${Math.round(timeoutMs / 1000)}s: ${(last as Error)?.message ?? last}`);
    }
    await sleep(delay);
  }
}

/** containerd processes to terminate when this process exits (one 'exit' listener for all). */
const onExit = new Set<() => void>();
let exitListenerInstalled = false;
function runExitHooks(): void {
  for (const hook of onExit) hook();
}

export async function startContainerd(opts: StartContainerdOptions): Promise<ContainerdHandle> {
  const log = opts.log ?? (() => {});
  const timeout = opts.startTimeoutMs ?? 60_000;
  if (opts.endpoint) {
    const version = await waitForCri(opts.endpoint, timeout, () => undefined);
    log(`using container runtime ${version.runtimeName} ${version.runtimeVersion} at ${opts.endpoint}`);
    return { endpoint: opts.endpoint, version, managed: false, pid: () => undefined, stop: async () => {} };
  }

  const path = opts.path ?? `${process.env.PATH ?? ''}${delimiter}${SYSTEM_PATH}`;
  const containerd = findExecutable('containerd', path);
  if (!containerd) throw new Error(CONTAINERD_MISSING);
  if (!findExecutable('runc', path)) throw new Error(RUNC_MISSING);

  const layout = containerdLayout(opts.dataDir);
  for (const d of [layout.dir, layout.root, layout.state, dirname(layout.socket)]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const cniConfDir = opts.cniConfDir ?? join(opts.dataDir, 'agent', 'cni');
  mkdirSync(cniConfDir, { recursive: true });
  writeFileSync(layout.config, containerdConfigToml({
    layout, cniConfDir, cniBinDir: opts.cniBinDir, pauseImage: opts.pauseImage, logLevel: opts.logLevel,
  }));
  await killStale(layout, log);
  const endpoint = `unix://${layout.socket}`;
  const env = { ...process.env, PATH: path };

  let child: ChildProcess | undefined;
  let stopping = false;
  let exitNote: string | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let startedAt = 0;

  const onProcessExit = (): void => {
    if (child?.pid && child.exitCode === null) try { child.kill('SIGTERM'); } catch { /* gone */ }
  };
  onExit.add(onProcessExit);
  if (!exitListenerInstalled) {
    exitListenerInstalled = true;
    process.once('exit', runExitHooks);
  }

  const launch = (): void => {
    exitNote = undefined;
    const fd = openSync(layout.log, 'a');
    try {
      // Its own process group: a terminal's Ctrl-C reaches k8ts, which then stops containerd
      // after the agent is done with it, instead of both at once.
      child = spawn(containerd, ['--config', layout.config], { env, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    startedAt = Date.now();
    const me = child;
    if (me.pid) writeFileSync(layout.pidFile, `${me.pid}\n`);
    me.on('error', (err) => { exitNote = `containerd failed to start: ${err.message}`; });
    me.on('exit', (code, signal) => {
      exitNote = `containerd exited (${signal ?? `code ${code}`}); last lines of ${layout.log}:\n${tail(layout.log)}`;
      if (stopping || me !== child) return;
      // Healthy for a minute: forget earlier failures.
      if (Date.now() - startedAt > 60_000) failures = 0;
      const delay = Math.min(1000 * 2 ** failures, 30_000);
      failures++;
      log(`${exitNote}\nrestarting containerd in ${delay / 1000}s`);
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        if (!stopping) launch();
      }, delay);
    });
  };

  launch();
  let version: VersionResponse;
  try {
    // A containerd that dies before it ever answers is not restarted: report why.
    version = await waitForCri(endpoint, timeout, () => (stopping ? 'stopped' : exitNote));
  } catch (err) {
    stopping = true;
    if (restartTimer) clearTimeout(restartTimer);
    onExit.delete(onProcessExit);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw err;
  }
  log(`containerd ${version.runtimeVersion} ready at ${endpoint} (log ${layout.log})`);

  return {
    endpoint,
    version,
    managed: true,
    layout,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    async stop() {
      stopping = true;
      onExit.delete(onProcessExit);
      if (restartTimer) clearTimeout(restartTimer);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => { try { c.kill('SIGKILL'); } catch { /* gone */ } }, 10_000);
      await exited;
      clearTimeout(timer);
      if (existsSync(layout.pidFile)) rmSync(layout.pidFile, { force: true });
    },
  };
}
