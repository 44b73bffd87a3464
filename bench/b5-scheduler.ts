/**
 * B5 (scheduler, scheduler_perf SchedulingBasic shape): a `k8ts server` child process (its
 * in-process scheduler, controllers on except nodelifecycle, no node agents) with `nodes` Node
 * objects created through the API (scheduler_perf's node-default: pods 110, cpu 4, memory 32Gi,
 * Ready), `initialPods` pods created and bound first, then `measuredPods` pods created as fast as
 * `clients` concurrent clients can; the figure is measured pods / (last bind seen on a pod watch
 * − first measured create sent). Binds are durable: they are read back from the watch.
 *
 * References in the same run: the same Scheduler over an in-memory SchedulerSource (same node and
 * pod shapes and counts, no API), and the API's own pod create rate on this server (pods with a
 * schedulerName nobody serves, so nothing but the create happens).
 */

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Scheduler } from '../src/scheduler/index.js';
import { createNamespace } from './lib/http.js';
import { adminAgentFor, listRv, many, perfNode, perfPod, until, watch, type Obj } from './lib/kube.js';
import { MemSchedulerSource } from './lib/mem-scheduler-source.js';
import { cpuSeconds } from './lib/proc.js';
import { atLeast, figure, type BenchResult } from './lib/result.js';
import { chooseLauncher, startServerProcess } from './lib/server-process.js';

export interface B5Options {
  nodes: number;
  initialPods: number;
  measuredPods: number;
  clients: number;
  /** Creates for the API create-rate reference (stops after refMaxMs). */
  refPods: number;
  refMaxMs: number;
  timeoutMs: number;
}

/** The tolerations DefaultTolerationSeconds admission adds on the server, so both runs filter the same pods. */
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** The in-memory reference: same shapes and counts, Scheduler over MemSchedulerSource. */
export async function inMemorySchedulingRate(o: Pick<B5Options, 'nodes' | 'initialPods' | 'measuredPods' | 'timeoutMs'>): Promise<{ podsPerSec: number; ms: number }> {
  const src = new MemSchedulerSource();
  for (let i = 0; i < o.nodes; i++) {
    const n = perfNode(`node-${i}`);
    n.metadata.uid = `uid-node-${i}`;
    src.nodeList.push(n as Node);
  }
  const mkPod = (name: string): Pod => {
    const p = perfPod('bench-b5', name);
    p.metadata.uid = `uid-${name}`;
    p.spec.schedulerName = 'default-scheduler';
    p.spec.priority = 0;
    p.spec.tolerations = DEFAULT_TOLERATIONS;
    p.status = { phase: 'Pending', qosClass: 'Guaranteed' };
    return p as Pod;
  };
  const sched = new Scheduler(src);
  sched.start();
  try {
    for (let i = 0; i < o.initialPods; i++) src.addPod(mkPod(`init-${i}`));
    await until(() => src.bound >= o.initialPods, o.timeoutMs, () => `in-memory: ${src.bound}/${o.initialPods} initial pods bound`, 1);
    const t0 = performance.now();
    for (let i = 0; i < o.measuredPods; i++) src.addPod(mkPod(`pod-${i}`));
    const want = o.initialPods + o.measuredPods;
    await until(() => src.bound >= want, o.timeoutMs, () => `in-memory: ${src.bound - o.initialPods}/${o.measuredPods} pods bound`, 1);
    const ms = performance.now() - t0;
    return { podsPerSec: (o.measuredPods / ms) * 1000, ms };
  } finally {
    await sched.stop();
  }
}

export async function runB5(o: B5Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const { launcher, why } = chooseLauncher();
  notes.push(`launcher: ${launcher === 'built' ? 'node bin/k8ts.js (built dist/)' : 'node --import tsx src/cli/run.ts'} (${why}); server = child process \`k8ts server --runtime none --disable nodelifecycle\` (SQLite), load generator = this process`);
  notes.push(`${o.nodes} nodes, ${o.initialPods} initial pods, ${o.measuredPods} measured pods, ${o.clients} concurrent create clients`);

  // Reference 1: the scheduler alone, in this process, before the server starts.
  const mem = await inMemorySchedulingRate(o);
  notes.push(`in-memory scheduler: ${o.measuredPods} pods bound in ${mem.ms.toFixed(0)} ms`);

  const srv = await startServerProcess({ store: 'sqlite', extraArgs: ['--disable', 'nodelifecycle'] });
  const agent = adminAgentFor(srv.creds, o.clients);
  const figures = [];
  let w: ReturnType<typeof watch> | undefined;
  try {
    await createNamespace(agent, srv.port, 'bench-b5');
    await createNamespace(agent, srv.port, 'bench-b5-ref');

    // Reference 2: the API's pod create rate on this server (nothing schedules these pods).
    const refTpl = (i: number) => JSON.stringify(perfPod('bench-b5-ref', `ref-${i}`, 'bench-nobody'));
    const ref = await many(agent, srv.port, o.refPods, o.clients, (i) => ({ method: 'POST', path: '/api/v1/namespaces/bench-b5-ref/pods', body: refTpl(i) }), { maxMs: o.refMaxMs });
    if (ref.errors) notes.push(`reference creates: ${ref.errors} errors, first: ${ref.firstError}`);
    notes.push(`API create-rate reference: ${ref.ok} creates in ${((ref.endedAt - ref.startedAt) / 1000).toFixed(1)} s`);

    // Nodes.
    const nodes = await many(agent, srv.port, o.nodes, o.clients, (i) => ({ method: 'POST', path: '/api/v1/nodes', body: JSON.stringify(perfNode(`node-${i}`)) }));
    if (nodes.errors) throw new Error(`creating nodes: ${nodes.errors} errors, first: ${nodes.firstError}`);
    notes.push(`${o.nodes} nodes created in ${((nodes.endedAt - nodes.startedAt) / 1000).toFixed(1)} s (${nodes.perSecond.toFixed(0)}/s)`);

    // Watch binds.
    const { rv } = await listRv(agent, srv.port, '/api/v1/namespaces/bench-b5/pods?limit=1');
    const bound = new Set<string>();
    let lastBindAt = 0;
    let watchError: string | undefined;
    w = watch(srv.creds, srv.port, `/api/v1/namespaces/bench-b5/pods?watch=1&resourceVersion=${rv}&allowWatchBookmarks=false`, (type, obj: Obj) => {
      if (type === 'ERROR') watchError ??= obj.message ?? JSON.stringify(obj);
      else if (obj.spec?.nodeName && !bound.has(obj.metadata.name)) {
        bound.add(obj.metadata.name);
        lastBindAt = performance.now();
      }
    });
    const waitBound = (n: number, what: string) =>
      until(() => bound.size >= n || watchError !== undefined, o.timeoutMs, () => `${what}: ${bound.size}/${n} pods bound`).then(() => {
        if (watchError) throw new Error(`pod watch failed: ${watchError}`);
      });

    const body = (prefix: string) => (i: number) => ({ method: 'POST', path: '/api/v1/namespaces/bench-b5/pods', body: JSON.stringify(perfPod('bench-b5', `${prefix}-${i}`)) });
    const init = await many(agent, srv.port, o.initialPods, o.clients, body('init'));
    if (init.errors) throw new Error(`creating initial pods: ${init.errors} errors, first: ${init.firstError}`);
    await waitBound(o.initialPods, 'initial pods');

    const cpu0 = cpuSeconds(srv.pid);
    const measured = await many(agent, srv.port, o.measuredPods, o.clients, body('pod'));
    if (measured.errors) throw new Error(`creating measured pods: ${measured.errors} errors, first: ${measured.firstError}`);
    await waitBound(o.initialPods + o.measuredPods, 'measured pods');
    const cpu1 = cpuSeconds(srv.pid);
    const seconds = (lastBindAt - measured.startedAt) / 1000;
    const rate = o.measuredPods / seconds;
    notes.push(`measured phase: creates done after ${((measured.endedAt - measured.startedAt) / 1000).toFixed(1)} s (${measured.perSecond.toFixed(0)} creates/s while scheduling), last bind seen after ${seconds.toFixed(1)} s; server CPU ${(cpu1 - cpu0).toFixed(1)} s (${(((cpu1 - cpu0) / seconds) * 100).toFixed(0)} % of a core)`);

    figures.push(
      figure('scheduling throughput (create → bind stored), pods/s', rate, 'pods/s', {
        reference: { label: 'same Scheduler over an in-memory SchedulerSource, same nodes and pods', value: mem.podsPerSec, unit: 'pods/s' },
        goal: atLeast(1200, 'pods/s'),
      }),
      figure('scheduling throughput vs the API create rate', rate, 'pods/s', {
        reference: { label: `API pod creates/s on this server, ${o.clients} clients, nothing scheduled`, value: ref.perSecond, unit: 'creates/s' },
      }),
    );
  } finally {
    w?.abort();
    agent.destroy();
    await srv.stop();
  }
  return { id: 'B5', title: 'scheduler throughput (SchedulingBasic shape)', backend: 'sqlite', figures, notes, durationMs: performance.now() - started };
}
