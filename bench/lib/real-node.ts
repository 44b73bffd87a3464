/**
 * bench/lib/real-node: helpers of the benchmarks on a real node (B1-real, B7, B8's node part):
 * `k8ts server --runtime containerd` as a child process on its own pod network (a cluster CIDR
 * and CNI bridge taken like the tests do, test/helpers/node-network.ts), busybox pods created over
 * HTTPS, a watch that records when each pod is first seen Running, deleting them all, and the
 * processes (containerd, its shims) that belong to one data dir.
 */

import { readdirSync, readFileSync } from 'node:fs';
import type { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerdLayout } from '../../src/kubelet/containerd/index.js';
import { acquireTestNetwork, type TestNetwork } from '../../test/helpers/node-network.js';
import { call, mustCall } from './http.js';
import { adminAgentFor, watch, type Obj, type Watch } from './kube.js';
import { rssMB } from './proc.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export const BUSYBOX = 'k8ts.local/busybox:1.36';
export const NODE_NAME = 'bench-node';

export interface RealNode {
  srv: ServerProcess;
  net: TestNetwork;
  agent: Agent;
  /** The containerd socket of this server (D/agent/containerd/containerd.sock or its short form). */
  socket: string;
  stop(): Promise<{ leftoverShims: number }>;
}

/** Starts `k8ts server --runtime containerd` on `dataDir` (fresh temp dir if not given) on a pod network of its own. */
export async function startRealNode(o: { dataDir?: string; extraArgs?: string[] } = {}): Promise<RealNode> {
  const net = acquireTestNetwork();
  let srv: ServerProcess;
  try {
    srv = await startServerProcess({
      store: 'sqlite', runtime: 'containerd', dataDir: o.dataDir, timeoutMs: 120_000, pollMs: 5,
      extraArgs: ['--node-name', NODE_NAME, '--kubelet-port', '0', '--cluster-cidr', net.clusterCidr, '--cni-bridge', net.cniBridge, ...(o.extraArgs ?? [])],
    });
  } catch (err) {
    net.release();
    throw err;
  }
  const socket = containerdLayout(srv.dataDir).socket;
  const agent = adminAgentFor(srv.creds, 16);
  return {
    srv, net, agent, socket,
    async stop() {
      agent.destroy();
      await srv.stop();
      // The server stops its containerd; a shim still holding our socket path is a leak: end it.
      await sleep(500);
      const shims = shimPids(socket);
      for (const pid of shims) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      net.release();
      return { leftoverShims: shims.length };
    },
  };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function pids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** containerd-shim processes started by the containerd listening on `socket`. */
export function shimPids(socket: string): number[] {
  return pids().filter((p) => { const c = cmdline(p); return c.includes('containerd-shim') && c.includes(socket); });
}

/** The containerd process of this data dir (its cmdline names the config under D/agent/containerd). */
export function containerdPid(dataDir: string): number | undefined {
  const dir = containerdLayout(dataDir).dir;
  return pids().find((p) => { const c = cmdline(p); return /(^|\/)containerd /.test(c) && c.includes(dir); });
}

/** Sum of VmRSS over pids (MB); processes that went away count 0. */
export function totalRssMB(ps: number[]): number {
  let sum = 0;
  for (const p of ps) {
    try { sum += rssMB(p); } catch { /* gone */ }
  }
  return sum;
}

/** Sum of proportional set size (Pss from /proc/<pid>/smaps_rollup, MB): shared pages split among their users. */
export function totalPssMB(ps: number[]): number {
  let sum = 0;
  for (const p of ps) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (m) sum += (Number(m[1]) * 1024) / 1e6;
    } catch { /* gone */ }
  }
  return sum;
}

/** Waits until the node is Ready. */
export async function waitNodeReady(n: RealNode, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await call(n.agent, n.srv.port, { path: `/api/v1/nodes/${NODE_NAME}` }).catch(() => undefined);
    if (r?.status === 200) {
      const node = JSON.parse(r.body.toString()) as Obj;
      if ((node.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True')) return;
    }
    if (performance.now() > deadline) throw new Error(`node ${NODE_NAME} not Ready within ${timeoutMs / 1000} s:\n${n.srv.stderr()}`);
    await sleep(50);
  }
}

/** A busybox pod running `sleep 3600` with tiny requests (110 fit on any machine). */
export function busyboxPod(namespace: string, name: string): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
    spec: {
      terminationGracePeriodSeconds: 1,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], resources: { requests: { cpu: '1m', memory: '4Mi' } } }],
    },
  };
}

/** POST a pod; retries while the namespace's default ServiceAccount or the namespace is not there yet. */
export async function createPod(agent: Agent, port: number, namespace: string, name: string, retryMs = 30_000): Promise<void> {
  const body = JSON.stringify(busyboxPod(namespace, name));
  const deadline = performance.now() + retryMs;
  for (;;) {
    const r = await call(agent, port, { method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, body });
    if (r.status === 201) return;
    if (performance.now() > deadline || r.status === 409 || r.status === 422) {
      throw new Error(`create pod ${namespace}/${name}: HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`);
    }
    await sleep(20);
  }
}

/** Records, per pod name, when it was first seen with phase Running (performance.now()). */
export interface RunningWatch {
  runningAt: Map<string, number>;
  failed: Map<string, string>;
  names: Set<string>;
  stop(): void;
}

export function watchRunning(n: RealNode, namespace: string): RunningWatch {
  const runningAt = new Map<string, number>();
  const failed = new Map<string, string>();
  const names = new Set<string>();
  let w: Watch | undefined;
  let stopped = false;
  const open = (): void => {
    if (stopped) return;
    w = watch(n.srv.creds, n.srv.port, `/api/v1/namespaces/${namespace}/pods?watch=1&allowWatchBookmarks=false`, (type, pod) => {
      if (type === 'ERROR') return;
      const name = pod.metadata?.name as string;
      if (type === 'DELETED') { names.delete(name); return; }
      names.add(name);
      if (pod.status?.phase === 'Running' && !runningAt.has(name)) runningAt.set(name, performance.now());
      if (pod.status?.phase === 'Failed' && !failed.has(name)) failed.set(name, JSON.stringify(pod.status).slice(0, 300));
    });
    // A watch the server ends is opened again (events in between are seen as the list's state).
    void w.done.then(() => { if (!stopped) setTimeout(open, 50); });
  };
  open();
  return { runningAt, failed, names, stop() { stopped = true; w?.abort(); } };
}

/** Deletes every pod of the namespace and waits until none is left; resolves to the ms it took. */
export async function deleteAllPods(n: RealNode, namespace: string, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  await mustCall(n.agent, n.srv.port, { method: 'DELETE', path: `/api/v1/namespaces/${namespace}/pods` }, [200]);
  for (;;) {
    const r = await mustCall(n.agent, n.srv.port, { path: `/api/v1/namespaces/${namespace}/pods` });
    const left = (JSON.parse(r.body.toString()) as { items: Obj[] }).items.length;
    if (left === 0) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${left} pods still there ${timeoutMs / 1000} s after deleting them`);
    await sleep(200);
  }
}

/** The 1-minute load average, for the notes. */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}
