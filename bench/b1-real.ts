/**
 * B1 (real node part): process launch → first pod Running on a real node, on an empty data dir:
 * `k8ts server --runtime containerd` starts its own containerd, imports the built-in images,
 * registers the node with its bridge CNI; as soon as /readyz answers, one busybox pod is created
 * in `default` (retried until the namespace's ServiceAccount exists) and the first watch event
 * with phase Running ends the measurement. Median of `runs` launches, each on a fresh data dir
 * and pod network. Reference: launching a bare `node -e ''` to exit, in the same run.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPod, deleteAllPods, loadAverage, startRealNode, watchRunning } from './lib/real-node.js';
import { atMost, figure, type BenchResult } from './lib/result.js';
import { chooseLauncher } from './lib/server-process.js';
import { bareNodeMs } from './lib/proc.js';
import { median } from './lib/stats.js';

export interface B1RealOptions {
  runs: number;
}

export async function runB1Real(o: B1RealOptions): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const { launcher, why } = chooseLauncher();
  notes.push(`launcher: ${launcher} (${why}); load average at start ${loadAverage()}`);
  const total: number[] = [];
  const ready: number[] = [];
  const nodeRef: number[] = [];
  let leftovers = 0;
  for (let i = 0; i < o.runs; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-bench-b1r-'));
    try {
      nodeRef.push(await bareNodeMs());
      const t0 = performance.now();
      const n = await startRealNode({ dataDir });
      try {
        ready.push(n.srv.readyMs);
        const w = watchRunning(n, 'default');
        try {
          await createPod(n.agent, n.srv.port, 'default', 'first', 60_000);
          const deadline = performance.now() + 120_000;
          while (!w.runningAt.has('first')) {
            if (w.failed.has('first')) throw new Error(`first pod failed: ${w.failed.get('first')}`);
            if (performance.now() > deadline) throw new Error(`first pod not Running within 120 s:\n${n.srv.stderr()}`);
            await new Promise((r) => setTimeout(r, 5));
          }
          total.push(w.runningAt.get('first')! - t0);
        } finally {
          w.stop();
        }
        await deleteAllPods(n, 'default', 60_000);
      } finally {
        leftovers += (await n.stop()).leftoverShims;
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  notes.push(`launch → first pod Running (ms): ${total.map((x) => x.toFixed(0)).join(', ')}; of which launch → /readyz: ${ready.map((x) => x.toFixed(0)).join(', ')}`);
  notes.push(`left-over shims after stop: ${leftovers}; load average at end ${loadAverage()}`);
  const ref = { label: "bare `node -e ''` launch to exit (median)", value: median(nodeRef), unit: 'ms' };
  return {
    id: 'B1',
    title: 'cold start on a real node: launch → first pod Running (containerd start and image import included)',
    backend: 'sqlite',
    figures: [
      figure('empty data dir, containerd: launch → first pod Running (median)', median(total), 'ms', { reference: ref, goal: atMost(5000, 'ms') }),
      figure('same launches: launch → /readyz (median)', median(ready), 'ms', { reference: ref, goal: atMost(1000, 'ms') }),
    ],
    notes,
    durationMs: performance.now() - started,
  };
}
