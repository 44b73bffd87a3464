/**
 * B1 (API server part): process launch → first 200 from /readyz on an empty data dir, median of
 * `runs` launches of `k8ts server` as a child process. Also the restart on the now-populated data
 * dir (certificates and store already there). Reference: launching a bare `node -e ''` to exit.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend, type BackendName } from './lib/backend.js';
import { atMost, figure, type BenchResult } from './lib/result.js';
import { chooseLauncher, startServerProcess } from './lib/server-process.js';
import { bareNodeMs } from './lib/proc.js';
import { median } from './lib/stats.js';

export interface B1Options {
  runs: number;
}

export async function runB1(backendName: BackendName, o: B1Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const { launcher, why } = chooseLauncher();
  notes.push(`launcher: ${launcher === 'built' ? 'node bin/k8ts.js (built dist/)' : 'node --import tsx src/cli/run.ts'} (${why})`);
  const cold: number[] = [];
  const warm: number[] = [];
  const nodeRef: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    // A fresh etcd per launch, so every cold start also meets an empty store.
    const backend = await openBackend(backendName);
    const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-bench-b1-'));
    try {
      nodeRef.push(await bareNodeMs());
      const s1 = await startServerProcess({ ...backend.server, dataDir });
      cold.push(s1.readyMs);
      await s1.stop();
      const s2 = await startServerProcess({ ...backend.server, dataDir });
      warm.push(s2.readyMs);
      await s2.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await backend.close();
    }
  }
  notes.push(`cold runs (ms): ${cold.map((x) => x.toFixed(0)).join(', ')}`);
  notes.push(`restart runs (ms): ${warm.map((x) => x.toFixed(0)).join(', ')}`);
  const ref = { label: "bare `node -e ''` launch to exit (median)", value: median(nodeRef), unit: 'ms' };
  return {
    id: 'B1',
    title: 'cold start: launch → /readyz 200',
    backend: backendName,
    figures: [
      figure('empty data dir: launch → /readyz (median)', median(cold), 'ms', { reference: ref, goal: atMost(1000, 'ms') }),
      figure('restart on existing data dir: launch → /readyz (median)', median(warm), 'ms', { reference: ref }),
    ],
    notes,
    durationMs: performance.now() - started,
  };
}
