/**
 * B6 (simulated scale), KWOK benchmark shape: `k8ts server --runtime sim --sim-nodes N` as a
 * child process (N simulated node agents in the server's own process, each with its own client
 * certificate, connection, pod watch, Lease renewal every 10 s and node status every 60 s), then:
 *   1. spawn → all N Nodes Ready (seen on a node watch from this process);
 *   2. `pods` bare pods created by `clients` concurrent clients → all Running (pod watch);
 *   3. all of them deleted (concurrent DELETEs, default grace period; the simulated kubelet
 *      removes them) → all gone (DELETED events).
 * Reference in the same run: the API's own pod create rate on this server with the nodes
 * heartbeating (pods with a schedulerName nobody serves, so nothing but the create happens).
 * Below the full size (5,000 nodes, 10,000 pods) each figure is also extrapolated linearly to the
 * full size from the measured rate, and says so.
 */

import { createNamespace } from './lib/http.js';
import { adminAgentFor, isReady, listRv, many, until, watch, type Obj, type Watch } from './lib/kube.js';
import { cpuSeconds, rssMB } from './lib/proc.js';
import { atMost, figure, type BenchResult, type Figure } from './lib/result.js';
import { chooseLauncher, startServerProcess } from './lib/server-process.js';

export interface B6Options {
  nodes: number;
  pods: number;
  clients: number;
  refPods: number;
  refMaxMs: number;
  timeoutMs: number;
}

const FULL_NODES = 5000;
const FULL_PODS = 10_000;

function pod(namespace: string, name: string, schedulerName?: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench-b6' } },
    spec: {
      ...(schedulerName ? { schedulerName } : {}),
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

export async function runB6(o: B6Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const { launcher, why } = chooseLauncher();
  notes.push(`launcher: ${launcher === 'built' ? 'node bin/k8ts.js (built dist/)' : 'node --import tsx src/cli/run.ts'} (${why}); server = child process \`k8ts server --runtime sim --sim-nodes ${o.nodes}\` (SQLite; node agents in the server process), load generator = this process`);
  notes.push(`${o.nodes} simulated nodes, ${o.pods} pods, ${o.clients} concurrent clients${o.nodes < FULL_NODES || o.pods < FULL_PODS ? `; below the full size (${FULL_NODES} nodes, ${FULL_PODS} pods): the "extrapolated" figures scale the measured rate linearly, which is optimistic (per-event costs grow with the cluster)` : ''}`);

  const spawnAt = performance.now();
  const srv = await startServerProcess({ store: 'sqlite', runtime: 'sim', extraArgs: ['--sim-nodes', String(o.nodes)], timeoutMs: o.timeoutMs });
  const agent = adminAgentFor(srv.creds, o.clients);
  const figures: Figure[] = [];
  const watches: Watch[] = [];
  try {
    notes.push(`launch → /readyz ${srv.readyMs.toFixed(0)} ms`);
    // 1. Nodes Ready.
    const ready = new Set<string>();
    let lastReadyAt = 0;
    let watchError: string | undefined;
    const onNode = (type: string, n: Obj): void => {
      if (type === 'ERROR') watchError ??= n.message ?? JSON.stringify(n);
      else if (type !== 'DELETED' && isReady(n) && !ready.has(n.metadata.name)) {
        ready.add(n.metadata.name);
        lastReadyAt = performance.now();
      }
    };
    const nodeList = await listRv(agent, srv.port, '/api/v1/nodes');
    for (const n of nodeList.items) onNode('ADDED', n);
    watches.push(watch(srv.creds, srv.port, `/api/v1/nodes?watch=1&resourceVersion=${nodeList.rv}`, onNode));
    await until(() => ready.size >= o.nodes || watchError !== undefined, o.timeoutMs, () => `${ready.size}/${o.nodes} nodes Ready`, 10);
    if (watchError) throw new Error(`node watch: ${watchError}`);
    const nodesMs = lastReadyAt - spawnAt;
    const nodesPerSec = o.nodes / ((nodesMs - srv.readyMs) / 1000);
    notes.push(`${o.nodes} nodes Ready ${(nodesMs / 1000).toFixed(1)} s after launch (${nodesPerSec.toFixed(0)} nodes/s after /readyz); server RSS ${rssMB(srv.pid).toFixed(0)} MB`);

    // Reference: the API's create rate with the nodes heartbeating.
    await createNamespace(agent, srv.port, 'bench-b6');
    await createNamespace(agent, srv.port, 'bench-b6-ref');
    const ref = await many(agent, srv.port, o.refPods, o.clients, (i) => ({
      method: 'POST', path: '/api/v1/namespaces/bench-b6-ref/pods', body: JSON.stringify(pod('bench-b6-ref', `ref-${i}`, 'bench-nobody')),
    }), { maxMs: o.refMaxMs });
    if (ref.errors) notes.push(`reference creates: ${ref.errors} errors, first: ${ref.firstError}`);
    const refFig = { label: `API pod creates/s on this server, ${o.clients} clients, nothing scheduled`, value: ref.perSecond, unit: 'creates/s' };
    notes.push(`API create-rate reference: ${ref.ok} creates in ${((ref.endedAt - ref.startedAt) / 1000).toFixed(1)} s`);

    // 2. Pods Running.
    const running = new Set<string>();
    const gone = new Set<string>();
    let lastRunningAt = 0;
    let lastGoneAt = 0;
    const { rv } = await listRv(agent, srv.port, '/api/v1/namespaces/bench-b6/pods?limit=1');
    watches.push(watch(srv.creds, srv.port, `/api/v1/namespaces/bench-b6/pods?watch=1&resourceVersion=${rv}`, (type, p: Obj) => {
      if (type === 'ERROR') watchError ??= p.message ?? JSON.stringify(p);
      else if (type === 'DELETED') {
        gone.add(p.metadata.name);
        lastGoneAt = performance.now();
      } else if (p.status?.phase === 'Running' && !running.has(p.metadata.name)) {
        running.add(p.metadata.name);
        lastRunningAt = performance.now();
      }
    }));
    const cpu0 = cpuSeconds(srv.pid);
    const created = await many(agent, srv.port, o.pods, o.clients, (i) => ({
      method: 'POST', path: '/api/v1/namespaces/bench-b6/pods', body: JSON.stringify(pod('bench-b6', `pod-${i}`)),
    }));
    if (created.errors) throw new Error(`creating pods: ${created.errors} errors, first: ${created.firstError}`);
    await until(() => running.size >= o.pods || watchError !== undefined, o.timeoutMs, () => `${running.size}/${o.pods} pods Running`, 10);
    if (watchError) throw new Error(`pod watch: ${watchError}`);
    const cpu1 = cpuSeconds(srv.pid);
    const runMs = lastRunningAt - created.startedAt;
    notes.push(`pods: creates done after ${((created.endedAt - created.startedAt) / 1000).toFixed(1)} s (${created.perSecond.toFixed(0)}/s), all Running after ${(runMs / 1000).toFixed(1)} s; server CPU ${(cpu1 - cpu0).toFixed(1)} s; RSS ${rssMB(srv.pid).toFixed(0)} MB`);

    // 3. Delete them all.
    const deleted = await many(agent, srv.port, o.pods, o.clients, (i) => ({ method: 'DELETE', path: `/api/v1/namespaces/bench-b6/pods/pod-${i}` }));
    if (deleted.errors) throw new Error(`deleting pods: ${deleted.errors} errors, first: ${deleted.firstError}`);
    await until(() => gone.size >= o.pods || watchError !== undefined, o.timeoutMs, () => `${gone.size}/${o.pods} pods gone`, 10);
    if (watchError) throw new Error(`pod watch: ${watchError}`);
    const goneMs = lastGoneAt - deleted.startedAt;
    notes.push(`delete: DELETE calls done after ${((deleted.endedAt - deleted.startedAt) / 1000).toFixed(1)} s, all gone after ${(goneMs / 1000).toFixed(1)} s (the simulated kubelet waits min(1 s, grace period) before removing a terminating pod)`);

    const full = o.nodes >= FULL_NODES && o.pods >= FULL_PODS;
    figures.push(
      figure(`${o.nodes} nodes Ready (launch → last Ready)`, nodesMs / 1000, 's', full ? { goal: atMost(10, 's') } : {}),
      figure(`${o.pods} pods Running (first create → last Running)`, runMs / 1000, 's', { reference: { ...refFig, value: o.pods / ref.perSecond, unit: 's', label: `${o.pods} creates at the API create rate (${ref.perSecond.toFixed(0)}/s)` }, ...(full ? { goal: atMost(15, 's') } : {}) }),
      figure(`${o.pods} pods deleted (first DELETE → last gone)`, goneMs / 1000, 's', full ? { goal: atMost(15, 's') } : {}),
      figure('pods Running per second', (o.pods / runMs) * 1000, 'pods/s', { reference: refFig }),
    );
    if (!full) {
      figures.push(
        figure(`extrapolated: ${FULL_NODES} nodes Ready (linear from ${o.nodes})`, srv.readyMs / 1000 + FULL_NODES / nodesPerSec, 's', { goal: atMost(10, 's') }),
        figure(`extrapolated: ${FULL_PODS} pods Running (linear from ${o.pods})`, (runMs / 1000) * (FULL_PODS / o.pods), 's', { goal: atMost(15, 's') }),
        figure(`extrapolated: ${FULL_PODS} pods deleted (linear from ${o.pods})`, (goneMs / 1000) * (FULL_PODS / o.pods), 's', { goal: atMost(15, 's') }),
      );
    }
  } finally {
    for (const w of watches) w.abort();
    agent.destroy();
    await srv.stop();
  }
  return { id: 'B6', title: 'simulated scale: nodes Ready, pods Running, pods deleted', backend: 'sqlite', figures, notes, durationMs: performance.now() - started };
}
