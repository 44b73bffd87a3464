/**
 * bench/lib/server-process: runs `k8ts server` as a child process, the way a user does, on a
 * fresh data dir and a free loopback port, and waits for `/readyz`.
 *
 * Launcher: the built program (`node bin/k8ts.js`, what `npm i -g` users run) when dist/ exists
 * and is newer than every file in src/; otherwise the sources through tsx
 * (`node --import tsx src/cli/run.ts`). K8TS_BENCH_LAUNCHER=built|tsx forces one.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { controllerNames } from '../../src/server/start.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest, Agent } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '../..');

export type Launcher = 'built' | 'tsx';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

let chosen: { launcher: Launcher; why: string } | undefined;

/** Which way servers are launched in this run, and why. */
export function chooseLauncher(): { launcher: Launcher; why: string } {
  if (chosen) return chosen;
  const forced = process.env.K8TS_BENCH_LAUNCHER;
  const main = join(ROOT, 'dist/cli/main.js');
  if (forced === 'built' || forced === 'tsx') {
    if (forced === 'built' && !existsSync(main)) throw new Error('K8TS_BENCH_LAUNCHER=built but dist/ is missing: run `npm run build`');
    chosen = { launcher: forced, why: 'K8TS_BENCH_LAUNCHER' };
  } else if (!existsSync(main)) {
    chosen = { launcher: 'tsx', why: 'dist/ missing (run `npm run build` to measure the built program)' };
  } else if (newestMtime(join(ROOT, 'src')) > newestMtime(join(ROOT, 'dist'))) {
    chosen = { launcher: 'tsx', why: 'dist/ is older than src/ (run `npm run build` to measure the built program)' };
  } else {
    chosen = { launcher: 'built', why: 'dist/ is up to date' };
  }
  return chosen;
}

export function serverCommand(args: string[]): { cmd: string; argv: string[] } {
  const { launcher } = chooseLauncher();
  return launcher === 'built'
    ? { cmd: process.execPath, argv: [join(ROOT, 'bin/k8ts.js'), ...args] }
    : { cmd: process.execPath, argv: ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args] };
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface BackendOptions {
  store: 'sqlite' | 'etcd';
  etcdEndpoints?: string[];
}

export interface Credentials {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  dataDir: string;
  port: number;
  url: string;
  /** ms from spawn() to the first 200 from /readyz. */
  readyMs: number;
  creds: Credentials;
  /** The last few KB of the server's stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

/** One GET /readyz without credentials; resolves to the status code, or 0 if it failed. */
function probeReadyz(port: number): Promise<number> {
  return new Promise((res) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/readyz', method: 'GET', rejectUnauthorized: false, agent: false, timeout: 2_000 },
      (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode ?? 0));
        r.on('error', () => res(0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(0));
    req.end();
  });
}

export interface StartOptions extends BackendOptions {
  /** Reuse this data dir instead of a fresh temporary one (kept on stop). */
  dataDir?: string;
  /** Poll interval for /readyz. Default 5 ms. */
  pollMs?: number;
  timeoutMs?: number;
  /** Extra node flags, e.g. ['--cpu-prof']. */
  nodeFlags?: string[];
  /** `--runtime` (default none; containerd also needs --cluster-cidr, --cni-bridge, --kubelet-port in extraArgs). */
  runtime?: 'none' | 'sim' | 'containerd';
  /** More `k8ts server` arguments, e.g. ['--sim-nodes', '100', '--disable', 'nodelifecycle']. */
  extraArgs?: string[];
}

export async function startServerProcess(opts: StartOptions): Promise<ServerProcess> {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'k8ts-bench-')));
  const port = await freePort();
  const args = ['server', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--runtime', opts.runtime ?? 'none', '--store', opts.store, ...(opts.extraArgs ?? [])];
  if (opts.store === 'etcd') args.push('--etcd-endpoints', (opts.etcdEndpoints ?? []).join(','));
  const { cmd, argv } = serverCommand(args);
  const flags = opts.nodeFlags ?? (process.env.K8TS_BENCH_NODE_FLAGS ? process.env.K8TS_BENCH_NODE_FLAGS.split(' ') : []);
  const t0 = performance.now();
  const child = spawn(cmd, [...flags, ...argv], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8_000);
  });
  let exited: string | undefined;
  const exitP = new Promise<void>((res) =>
    child.once('exit', (code, sig) => {
      exited = `server exited (code ${code}, signal ${sig})`;
      res();
    }),
  );
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitP;
      clearTimeout(t);
    }
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = t0 + (opts.timeoutMs ?? 60_000);
  let readyMs: number;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${exited} before /readyz answered:\n${stderr}`);
    }
    if ((await probeReadyz(port)) === 200) {
      readyMs = performance.now() - t0;
      break;
    }
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`/readyz did not answer 200 within ${opts.timeoutMs ?? 60_000} ms:\n${stderr}`);
    }
    await sleep(opts.pollMs ?? 5);
  }
  const pki = join(dataDir, 'pki');
  const creds: Credentials = {
    ca: await readFile(join(pki, 'ca.crt')),
    cert: await readFile(join(pki, 'admin.crt')),
    key: await readFile(join(pki, 'admin.key')),
  };
  return { child, pid: child.pid!, dataDir, port, url: `https://127.0.0.1:${port}`, readyMs, creds, stderr: () => stderr, stop };
}

/** A keep-alive HTTPS agent presenting the admin client certificate. */
export function adminAgent(creds: Credentials, maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: creds.ca, cert: creds.cert, key: creds.key });
}

/**
 * Arguments that run the API server alone (every controller and the scheduler off): B2–B4
 * measure the API server and storage, not the writes controllers would add on top.
 */
export function apiOnlyArgs(): string[] {
  return ['--disable', ['scheduler', ...controllerNames()].join(',')];
}
