/**
 * B8 (node part, agent alone): the node agent as its own process, `k8ts agent` joined to a
 * `k8ts server --runtime none` (both child processes, the agent with its own data dir, containerd
 * and pod network), so its memory is not mixed with the API server's: VmRSS and PSS of the agent
 * process idle (node Ready, no pods) and with `pods` busybox pods Running (max of 500 ms samples
 * over 5 s), with containerd's and the shims' as context. Reference: a bare
 * `node -e 'setInterval(()=>{},1000)'` in the same run. Pods are deleted, then the agent stopped;
 * the containerd it started and any shim left are ended by pid.
 */

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireTestNetwork } from '../test/helpers/node-network.js';
import { containerdLayout } from '../src/kubelet/containerd/index.js';
import { createNamespace } from './lib/http.js';
import {
  containerdPid, createPod, deleteAllPods, loadAverage, NODE_NAME, shimPids, totalPssMB, totalRssMB, waitNodeReady, watchRunning,
  type RealNode,
} from './lib/real-node.js';
import { adminAgentFor } from './lib/kube.js';
import { rssMB } from './lib/proc.js';
import { atMost, figure, type BenchResult, type Figure } from './lib/result.js';
import { chooseLauncher, serverCommand, startServerProcess } from './lib/server-process.js';

export interface B8NodeOptions {
  pods: number;
}

async function bareNodeRssMB(): Promise<number> {
  const c = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  await sleep(1_000);
  const rss = rssMB(c.pid!);
  c.kill('SIGKILL');
  return rss;
}

async function maxRss(pid: number, seconds: number): Promise<number> {
  let m = 0;
  for (let i = 0; i < seconds * 2; i++) { m = Math.max(m, rssMB(pid)); await sleep(500); }
  return m;
}

export async function runB8Node(o: B8NodeOptions): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const figures: Figure[] = [];
  const { launcher, why } = chooseLauncher();
  notes.push(`launcher: ${launcher} (${why}); load average at start ${loadAverage()}`);
  const refRss = await bareNodeRssMB();
  const net = acquireTestNetwork();
  const agentDir = await mkdtemp(join(tmpdir(), 'k8ts-bench-agent-'));
  const socket = containerdLayout(agentDir).socket;
  let error: string | undefined;
  const srv = await startServerProcess({ store: 'sqlite', runtime: 'none', extraArgs: ['--cluster-cidr', net.clusterCidr] });
  const { cmd, argv } = serverCommand(['agent', '--server', srv.url, '--token-file', join(srv.dataDir, 'server/token'), '--data-dir', agentDir,
    '--node-name', NODE_NAME, '--kubelet-port', '0', '--cni-bridge', net.cniBridge]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const agent = adminAgentFor(srv.creds, 16);
  const n: RealNode = { srv, net, agent, socket, stop: async () => ({ leftoverShims: 0 }) };
  let ctrd: number | undefined;
  const w = watchRunning(n, 'b8');
  try {
    await waitNodeReady(n).catch((err: unknown) => { throw new Error(`${String(err)}\nagent stderr:\n${stderr}`); });
    ctrd = containerdPid(agentDir);
    await createNamespace(agent, srv.port, 'b8');
    await sleep(3000);
    const idle = await maxRss(child.pid!, 3);
    const idlePss = totalPssMB([child.pid!]);
    const ctrdIdle = ctrd ? rssMB(ctrd) : NaN;
    const names = Array.from({ length: o.pods }, (_, i) => `p-${i}`);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = next++; i < names.length; i = next++) await createPod(agent, srv.port, 'b8', names[i]!);
    }));
    while (names.some((x) => !w.runningAt.has(x))) {
      if (performance.now() - t0 > 600_000) throw new Error('pods not Running after 600 s');
      await sleep(20);
    }
    const allMs = Math.max(...names.map((x) => w.runningAt.get(x)!)) - t0;
    notes.push(`${o.pods} pods Running ${(allMs / 1000).toFixed(1)} s after the first create (agent in its own process); load average ${loadAverage()}`);
    await sleep(5000);
    const busy = await maxRss(child.pid!, 5);
    const busyPss = totalPssMB([child.pid!]);
    const shims = shimPids(socket);
    const ref = { label: "bare `node -e 'setInterval(()=>{},1000)'` RSS", value: refRss, unit: 'MB' };
    figures.push(figure('node agent process (k8ts agent) idle RSS, node Ready, no pods', idle, 'MB', { reference: ref }));
    figures.push(figure(`node agent process RSS with ${o.pods} pods Running (max over 5 s)`, busy, 'MB', { reference: ref, goal: atMost(60, 'MB') }));
    figures.push(figure(`node agent process PSS with ${o.pods} pods`, busyPss, 'MB'));
    figures.push(figure(`containerd RSS with ${o.pods} pods`, ctrd ? rssMB(ctrd) : NaN, 'MB', { reference: { label: 'containerd idle', value: ctrdIdle, unit: 'MB' } }));
    figures.push(figure(`${shims.length} containerd shims: total RSS`, totalRssMB(shims), 'MB'));
    figures.push(figure(`${shims.length} containerd shims: total PSS`, totalPssMB(shims), 'MB'));
    notes.push(`agent idle PSS ${idlePss.toFixed(1)} MB; server (API + controllers, --runtime none) RSS with the pods ${rssMB(srv.pid).toFixed(1)} MB`);
    const del = await deleteAllPods(n, 'b8');
    notes.push(`deleting the ${o.pods} pods took ${(del / 1000).toFixed(1)} s`);
  } catch (err) {
    error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try { await deleteAllPods(n, 'b8', 120_000); } catch { /* best effort */ }
  } finally {
    w.stop();
    agent.destroy();
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
    // `k8ts agent` leaves its pods (none by now) and may leave its containerd: end what is ours, by pid.
    await sleep(500);
    const left = [...shimPids(socket), ...(containerdPid(agentDir) !== undefined ? [containerdPid(agentDir)!] : [])];
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    notes.push(`after the agent stopped: ${left.length} of its processes (containerd, shims) were left and ended by the benchmark`);
    await srv.stop();
    net.release();
    await rm(agentDir, { recursive: true, force: true }).catch(() => undefined);
  }
  return { id: 'B8', title: 'footprint: node agent as its own process with pods', backend: 'sqlite', figures, notes, durationMs: performance.now() - started, ...(error ? { error } : {}) };
}
