/**
 * B7: real pod startup on `k8ts server --runtime containerd` (containerd + runc + bridge CNI, the
 * image already present), plus B8's node part (the agent runs inside the server process).
 *
 *   CNI       RunPodSandbox straight through the CRI client against the server's own containerd,
 *             `sandboxes` times with the pod network and as many with hostNetwork (reference);
 *             CNI set-up ≈ the difference of the medians.
 *   110 pods  `density` busybox pods created at once (8 clients) → all Running; then the server's
 *             RSS with them running vs idle (before any pod), containerd's and the shims' RSS.
 *   batch     after deleting those, `batch` pods created at once; each pod's create → Running.
 *   sequential `background` more pods so `batch + background` run, then `sequential` pods one
 *             after another, each create → Running before the next.
 * Running = the first watch event with status.phase Running. Every pod is deleted at the end,
 * the server stopped, and left-over shims of its containerd are counted (and ended).
 */

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CriClient } from '../src/kubelet/cri/index.js';
import { createNamespace } from './lib/http.js';
import {
  containerdPid, createPod, deleteAllPods, loadAverage, shimPids, startRealNode, totalPssMB, totalRssMB, waitNodeReady, watchRunning,
  type RealNode, type RunningWatch,
} from './lib/real-node.js';
import { rssMB } from './lib/proc.js';
import { atMost, figure, type BenchResult, type Figure } from './lib/result.js';
import { chooseLauncher } from './lib/server-process.js';
import { median, summarize } from './lib/stats.js';

export interface B7Options {
  sandboxes: number;
  density: number;
  batch: number;
  background: number;
  sequential: number;
}

const NS = 'b7';

async function waitRunning(w: RunningWatch, names: string[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const missing = names.filter((n) => !w.runningAt.has(n));
    if (missing.length === 0) return;
    const failed = missing.filter((n) => w.failed.has(n));
    if (failed.length) throw new Error(`pod ${failed[0]} failed: ${w.failed.get(failed[0]!)}`);
    if (performance.now() > deadline) throw new Error(`${missing.length} of ${names.length} pods not Running after ${timeoutMs / 1000} s (e.g. ${missing[0]})`);
    await sleep(5);
  }
}

/** Creates `names` from `clients` concurrent clients; returns each pod's send time. */
async function createMany(n: RealNode, names: string[], clients: number): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < names.length; i = next++) {
      sentAt.set(names[i]!, performance.now());
      await createPod(n.agent, n.srv.port, NS, names[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(clients, names.length) }, worker));
  return sentAt;
}

/** RunPodSandbox times (ms) for `count` sandboxes, with the pod network or hostNetwork; each is stopped and removed after. */
async function sandboxTimes(cri: CriClient, count: number, hostNetwork: boolean, logDir: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const uid = randomUUID();
    const name = `b7-sb-${hostNetwork ? 'host' : 'net'}-${i}`;
    const config = {
      metadata: { name, uid, namespace: 'b7-cri', attempt: 0 },
      ...(hostNetwork ? {} : { hostname: name }),
      logDirectory: `${logDir}/${uid}`,
      dnsConfig: { servers: [], searches: [], options: [] },
      labels: { 'k8ts.bench': 'b7' },
      linux: { securityContext: { namespaceOptions: { network: hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    const t0 = performance.now();
    const r = await cri.runtime.runPodSandbox({ config, runtimeHandler: '' } as never);
    times.push(performance.now() - t0);
    const id = (r as { podSandboxId: string }).podSandboxId;
    await cri.runtime.stopPodSandbox({ podSandboxId: id });
    await cri.runtime.removePodSandbox({ podSandboxId: id });
  }
  return times;
}

export async function runB7(o: B7Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const figures: Figure[] = [];
  const { launcher, why } = chooseLauncher();
  notes.push(`launcher: ${launcher} (${why}); load average at start ${loadAverage()}`);
  const n = await startRealNode();
  notes.push(`pod network ${n.net.clusterCidr} on bridge ${n.net.cniBridge}; containerd socket ${n.socket}`);
  let w: RunningWatch | undefined;
  let error: string | undefined;
  try {
    const tReady = performance.now();
    await waitNodeReady(n);
    notes.push(`/readyz after ${n.srv.readyMs.toFixed(0)} ms, node Ready ${(performance.now() - tReady).toFixed(0)} ms later`);
    await createNamespace(n.agent, n.srv.port, NS);
    await sleep(2000);
    const idleRss = rssMB(n.srv.pid);
    const ctrdPid = containerdPid(n.srv.dataDir);
    const idleCtrd = ctrdPid ? rssMB(ctrdPid) : NaN;

    // CNI set-up: RunPodSandbox with and without the pod network, alternating blocks against the same containerd.
    const cri = await CriClient.connect(`unix://${n.socket}`);
    const withNet: number[] = [];
    const hostNet: number[] = [];
    try {
      const logDir = `${n.srv.dataDir}/b7-sandbox-logs`;
      await sandboxTimes(cri, 1, false, logDir); // warm-up
      await sandboxTimes(cri, 1, true, logDir);
      for (let i = 0; i < o.sandboxes; i += 5) {
        hostNet.push(...(await sandboxTimes(cri, Math.min(5, o.sandboxes - i), true, logDir)));
        withNet.push(...(await sandboxTimes(cri, Math.min(5, o.sandboxes - i), false, logDir)));
      }
    } finally {
      cri.close();
    }
    const sNet = summarize(withNet);
    const sHost = summarize(hostNet);
    const hostRef = { label: `RunPodSandbox with hostNetwork, same containerd (median of ${hostNet.length})`, value: median(hostNet), unit: 'ms' };
    figures.push(figure(`RunPodSandbox with pod network (median of ${withNet.length})`, median(withNet), 'ms', { reference: hostRef }));
    figures.push(figure('CNI set-up (RunPodSandbox pod network − hostNetwork, medians)', median(withNet) - median(hostNet), 'ms', { reference: hostRef }));
    notes.push(`RunPodSandbox pod network: p50 ${sNet.p50Ms.toFixed(0)} p99 ${sNet.p99Ms.toFixed(0)} ms; hostNetwork p50 ${sHost.p50Ms.toFixed(0)} p99 ${sHost.p99Ms.toFixed(0)} ms`);

    w = watchRunning(n, NS);
    await sleep(300);

    // 110 pods on one node.
    const dNames = Array.from({ length: o.density }, (_, i) => `dens-${i}`);
    const d0 = performance.now();
    const dSent = await createMany(n, dNames, 8);
    const createdMs = performance.now() - d0;
    await waitRunning(w, dNames, 600_000);
    const allMs = Math.max(...dNames.map((x) => w!.runningAt.get(x)!)) - d0;
    const dLat = summarize(dNames.map((x) => w!.runningAt.get(x)! - dSent.get(x)!));
    figures.push(figure(`${o.density} pods on one node: first create → all Running`, allMs / 1000, 's', { goal: atMost(30, 's') }));
    notes.push(`${o.density} pods: creates took ${(createdMs / 1000).toFixed(1)} s; per pod create → Running p50 ${(dLat.p50Ms / 1000).toFixed(1)} s, p99 ${(dLat.p99Ms / 1000).toFixed(1)} s; load average ${loadAverage()}`);

    // B8 node part: RSS with the pods running vs idle.
    await sleep(5000);
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) { samples.push(rssMB(n.srv.pid)); await sleep(500); }
    const busyRss = Math.max(...samples);
    const shims = shimPids(n.socket);
    const shimRss = totalRssMB(shims);
    const busyCtrd = ctrdPid ? rssMB(ctrdPid) : NaN;
    const idleRef = { label: 'same server process idle, node Ready, no pods', value: idleRss, unit: 'MB' };
    figures.push(figure(`B8 node: k8ts server RSS (API + controllers + agent) with ${o.density} pods (max over 5 s)`, busyRss, 'MB', { reference: idleRef }));
    figures.push(figure(`B8 node: server RSS growth with ${o.density} pods (agent's share)`, busyRss - idleRss, 'MB', { goal: atMost(60, 'MB') }));
    figures.push(figure(`B8 node: containerd RSS with ${o.density} pods`, busyCtrd, 'MB', { reference: { label: 'containerd idle', value: idleCtrd, unit: 'MB' } }));
    figures.push(figure(`B8 node: ${shims.length} containerd shims, total RSS`, shimRss, 'MB'));
    figures.push(figure(`B8 node: ${shims.length} containerd shims, total PSS (shared pages split)`, totalPssMB(shims), 'MB'));
    notes.push(`PSS with ${o.density} pods: server ${totalPssMB([n.srv.pid]).toFixed(1)} MB, containerd ${ctrdPid ? totalPssMB([ctrdPid]).toFixed(1) : 'n/a'} MB`);

    const del1 = await deleteAllPods(n, NS);
    notes.push(`deleting the ${o.density} pods took ${(del1 / 1000).toFixed(1)} s`);
    w.runningAt.clear();

    // Batch of 10 at once.
    const bNames = Array.from({ length: o.batch }, (_, i) => `batch-${i}`);
    const bSent = await createMany(n, bNames, o.batch);
    await waitRunning(w, bNames, 300_000);
    const bLat = summarize(bNames.map((x) => w!.runningAt.get(x)! - bSent.get(x)!));
    figures.push(figure(`batch of ${o.batch}: create → Running p50`, bLat.p50Ms, 'ms'));
    figures.push(figure(`batch of ${o.batch}: create → Running p99`, bLat.p99Ms, 'ms', { goal: atMost(3000, 'ms') }));

    // Sequential pods beside `batch + background` running ones.
    const gNames = Array.from({ length: o.background }, (_, i) => `bg-${i}`);
    await createMany(n, gNames, 8);
    await waitRunning(w, gNames, 600_000);
    await sleep(2000);
    const seq: number[] = [];
    for (let i = 0; i < o.sequential; i++) {
      const name = `seq-${i}`;
      const t0 = performance.now();
      await createPod(n.agent, n.srv.port, NS, name);
      await waitRunning(w, [name], 120_000);
      seq.push(w.runningAt.get(name)! - t0);
    }
    const sLat = summarize(seq);
    const beside = o.batch + o.background;
    figures.push(figure(`${o.sequential} sequential pods beside ${beside} running: create → Running p50`, sLat.p50Ms, 'ms'));
    figures.push(figure(`${o.sequential} sequential pods beside ${beside} running: create → Running p99`, sLat.p99Ms, 'ms', { goal: atMost(1500, 'ms') }));
    notes.push(`batch p50/p99/max ${bLat.p50Ms.toFixed(0)}/${bLat.p99Ms.toFixed(0)}/${bLat.maxMs.toFixed(0)} ms; sequential p50/p99/max ${sLat.p50Ms.toFixed(0)}/${sLat.p99Ms.toFixed(0)}/${sLat.maxMs.toFixed(0)} ms; load average ${loadAverage()}`);

    const del2 = await deleteAllPods(n, NS);
    notes.push(`deleting the last ${beside + o.sequential} pods took ${(del2 / 1000).toFixed(1)} s`);
  } catch (err) {
    error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try { await deleteAllPods(n, NS, 120_000); } catch { /* best effort */ }
  } finally {
    w?.stop();
    const { leftoverShims } = await n.stop();
    notes.push(`after stop: ${leftoverShims} containerd-shim processes of this server were left (ended by the benchmark)`);
  }
  return { id: 'B7', title: 'real pod startup (containerd, runc, bridge CNI) + B8 node footprint', backend: 'sqlite', figures, notes, durationMs: performance.now() - started, ...(error ? { error } : {}) };
}
