/**
 * B8 (control-plane part): idle footprint of `k8ts server` after the seed objects
 * (test/fixtures/seeds/) are applied with the real kubectl: resident memory (VmRSS) sampled
 * every 500 ms and CPU use (utime+stime from /proc/<pid>/stat) over `seconds` of idleness.
 * Reference: the RSS of a bare `node -e 'setInterval(()=>{},1000)'` in the same run. With etcd,
 * etcd's own process is not counted (it is the user's cluster, not part of k8ts).
 */

import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openBackend, type BackendName } from './lib/backend.js';
import { cpuSeconds, rssMB } from './lib/proc.js';
import { atMost, figure, type BenchResult } from './lib/result.js';
import { ROOT, startServerProcess } from './lib/server-process.js';

export interface B8Options {
  seconds: number;
  settleSeconds: number;
}

export const KUBECTL = process.env.K8TS_BENCH_KUBECTL ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

function kubectl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(KUBECTL, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

async function bareNodeRssMB(): Promise<number> {
  const c = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  await sleep(1_000);
  const rss = rssMB(c.pid!);
  c.kill('SIGKILL');
  return rss;
}

export async function runB8(backendName: BackendName, o: B8Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const backend = await openBackend(backendName);
  try {
    const refRss = await bareNodeRssMB();
    const srv = await startServerProcess(backend.server);
    try {
      const kubeconfig = join(srv.dataDir, 'kubeconfig.yaml');
      const seeds = join(ROOT, 'test/fixtures/seeds');
      const applied = await kubectl(['--kubeconfig', kubeconfig, 'apply', '-f', seeds]);
      const objects = applied.out.split('\n').filter((l) => / (created|configured|unchanged)$/.test(l)).length;
      notes.push(`kubectl apply -f test/fixtures/seeds: exit ${applied.code}, ${objects} objects`);
      if (applied.code !== 0) notes.push(`kubectl output: ${applied.out.trim().split('\n').filter((l) => !/ (created|configured|unchanged)$/.test(l)).join(' | ').slice(0, 600)}`);
      const afterApply = rssMB(srv.pid);
      await sleep(o.settleSeconds * 1000);

      const samples: number[] = [];
      const cpu0 = cpuSeconds(srv.pid);
      const t0 = performance.now();
      const until = t0 + o.seconds * 1000;
      while (performance.now() < until) {
        samples.push(rssMB(srv.pid));
        await sleep(500);
      }
      const cpu1 = cpuSeconds(srv.pid);
      const wall = (performance.now() - t0) / 1000;
      const cpuPct = ((cpu1 - cpu0) / wall) * 100;
      const rssEnd = samples[samples.length - 1]!;
      const rssMax = Math.max(...samples);
      notes.push(`RSS right after apply ${afterApply.toFixed(1)} MB; over the idle window: max ${rssMax.toFixed(1)} MB, end ${rssEnd.toFixed(1)} MB; CPU ${(cpu1 - cpu0).toFixed(2)} s in ${wall.toFixed(1)} s`);
      if (backendName === 'etcd') notes.push("etcd's own process is not included");
      const ref = { label: "bare `node -e 'setInterval(()=>{},1000)'` RSS", value: refRss, unit: 'MB' };
      return {
        id: 'B8',
        title: 'footprint: idle control plane with the seed objects',
        backend: backendName,
        figures: [
          figure('idle RSS (max over window)', rssMax, 'MB', { reference: ref, goal: atMost(150, 'MB') }),
          figure('idle CPU', cpuPct, '% of a core', { goal: atMost(2, '% of a core') }),
        ],
        notes,
        durationMs: performance.now() - started,
      };
    } finally {
      await srv.stop();
    }
  } finally {
    await backend.close();
  }
}
