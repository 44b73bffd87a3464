/**
 * B1 (simulated node part): process launch of `k8ts server --runtime sim --sim-nodes 1` on an
 * empty data dir → first pod Running. The pod is created as soon as /readyz answers 200 (retried
 * while its namespace does not exist yet); the time is spawn → the first watch event showing
 * status.phase Running. Median of `runs` launches. Reference: launching a bare `node -e ''`.
 */

import { adminAgentFor, until, watch, type Obj } from './lib/kube.js';
import { call } from './lib/http.js';
import { atMost, figure, type BenchResult } from './lib/result.js';
import { chooseLauncher, startServerProcess } from './lib/server-process.js';
import { bareNodeMs } from './lib/proc.js';
import { median } from './lib/stats.js';

export interface B1SimOptions {
  runs: number;
}

const POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'first', namespace: 'default' },
  spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }] },
});

async function oneRun(): Promise<{ readyMs: number; createdMs: number; runningMs: number; retries: string[] }> {
  const t0 = performance.now();
  // Poll /readyz every 2 ms: what a script waiting for the cluster would do.
  const srv = await startServerProcess({ store: 'sqlite', runtime: 'sim', extraArgs: ['--sim-nodes', '1'], pollMs: 2 });
  const agent = adminAgentFor(srv.creds, 1);
  let runningAt = 0;
  let w: ReturnType<typeof watch> | undefined;
  try {
    let createdAt = 0;
    const retries: string[] = [];
    for (let tries = 0; ; tries++) {
      const r = await call(agent, srv.port, { method: 'POST', path: '/api/v1/namespaces/default/pods', body: POD });
      if (r.status === 201) {
        createdAt = performance.now();
        const rv = (JSON.parse(r.body.toString()) as Obj).metadata.resourceVersion as string;
        w = watch(srv.creds, srv.port, `/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3Dfirst&resourceVersion=${rv}`, (_t, p) => {
          if (!runningAt && p.status?.phase === 'Running') runningAt = performance.now();
        });
        break;
      }
      retries.push(`${r.status} ${(JSON.parse(r.body.toString()) as Obj).reason ?? ''}`.trim());
      if (tries > 500) throw new Error(`creating the first pod: HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`);
      await new Promise((res) => setTimeout(res, 2));
    }
    await until(() => runningAt > 0, 60_000, () => 'the first pod to be Running', 1);
    return { readyMs: srv.readyMs, createdMs: createdAt - t0, runningMs: runningAt - t0, retries };
  } finally {
    w?.abort();
    agent.destroy();
    await srv.stop();
  }
}

export async function runB1Sim(o: B1SimOptions): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const { launcher, why } = chooseLauncher();
  notes.push(`launcher: ${launcher === 'built' ? 'node bin/k8ts.js (built dist/)' : 'node --import tsx src/cli/run.ts'} (${why}); \`k8ts server --runtime sim --sim-nodes 1\`, SQLite, empty data dir each launch`);
  const runs: { readyMs: number; createdMs: number; runningMs: number; retries: string[] }[] = [];
  const nodeRef: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    nodeRef.push(await bareNodeMs());
    runs.push(await oneRun());
  }
  notes.push(`runs (launch → /readyz / pod created / pod Running, ms): ${runs.map((r) => `${r.readyMs.toFixed(0)}/${r.createdMs.toFixed(0)}/${r.runningMs.toFixed(0)}`).join(', ')}`);
  const retried = runs.flatMap((r) => r.retries);
  if (retried.length) notes.push(`create retried ${retried.length} times after /readyz (answers: ${[...new Set(retried)].join(', ')})`);
  const ref = { label: "bare `node -e ''` launch to exit (median)", value: median(nodeRef), unit: 'ms' };
  return {
    id: 'B1-sim',
    title: 'cold start with a simulated node: launch → first pod Running',
    backend: 'sqlite',
    figures: [
      figure('launch → first pod Running (median)', median(runs.map((r) => r.runningMs)), 'ms', { reference: ref, goal: atMost(1500, 'ms') }),
      figure('launch → /readyz with --runtime sim (median)', median(runs.map((r) => r.readyMs)), 'ms', { reference: ref, goal: atMost(1000, 'ms') }),
      figure('pod created → Running (median)', median(runs.map((r) => r.runningMs - r.createdMs)), 'ms'),
    ],
    notes,
    durationMs: performance.now() - started,
  };
}
