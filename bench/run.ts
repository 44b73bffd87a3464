/**
 * bench/run: runs the API server and storage benchmarks (see bench/README.md and
 * ../shared/BENCHMARKS.md) on SQLite and on etcd, prints a summary and writes
 * bench/results/<timestamp>.json. Never fails on absolute times; exits 1 only if a benchmark
 * could not run.
 *
 *   npm run bench                       # all: b1 b2 b3 b4 b8, on sqlite and etcd
 *   npm run bench -- b2 b4              # some
 *   npm run bench -- --backend sqlite   # one backend
 *   npm run bench -- b4 --long          # B4 for the full 60 s of BENCHMARKS.md
 *   npm run bench -- b5 b6 b1-sim       # scheduler, simulated scale, first pod on a simulated node (SQLite only)
 *   npm run bench -- b6 --full          # B6 at the full 5,000 nodes / 10,000 pods (default: scaled down)
 *   npm run bench -- b5 b6 --quick      # small sizes, for a quick check
 *   npm run bench -- b7 b1-real b8-node # real node on containerd (root, containerd, runc, CNI plugins): pod startup,
 *                                       # first real pod, node agent footprint (own process)
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { runB1 } from './b1-cold-start.js';
import { runB1Real } from './b1-real.js';
import { runB1Sim } from './b1-sim.js';
import { runB2 } from './b2-writes.js';
import { runB3 } from './b3-reads.js';
import { runB4 } from './b4-watch.js';
import { runB5 } from './b5-scheduler.js';
import { runB6 } from './b6-sim-scale.js';
import { runB7 } from './b7-pod-startup.js';
import { runB8 } from './b8-footprint.js';
import { runB8Node } from './b8-node.js';
import type { BackendName } from './lib/backend.js';
import { markdownTable } from './lib/markdown.js';
import type { BenchResult } from './lib/result.js';
import { chooseLauncher, ROOT } from './lib/server-process.js';
import { round } from './lib/stats.js';

const BENCHES = ['b1', 'b1-sim', 'b1-real', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b8-node'] as const;
/** Not part of a bare `npm run bench`: they need a real node (root, containerd) and take minutes. */
const EXPLICIT_ONLY: readonly BenchName[] = ['b1-real', 'b7', 'b8-node'];
type BenchName = (typeof BENCHES)[number];
/** Benchmarks of the whole cluster, run once on SQLite whatever --backend says. */
const SQLITE_ONLY: readonly BenchName[] = ['b1-sim', 'b1-real', 'b5', 'b6', 'b7', 'b8-node'];
type Size = 'quick' | 'default' | 'full';

function parseArgs(argv: string[]): { names: BenchName[]; backends: BackendName[]; long: boolean; size: Size } {
  const names: BenchName[] = [];
  let backends: BackendName[] = ['sqlite', 'etcd'];
  let long = false;
  let size: Size = 'default';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--long') long = true;
    else if (a === '--quick') size = 'quick';
    else if (a === '--full') size = 'full';
    else if (a === '--backend') {
      const v = argv[++i] ?? '';
      backends = v.split(',').map((s) => s.trim()) as BackendName[];
      for (const b of backends) if (b !== 'sqlite' && b !== 'etcd') throw new Error(`--backend: unknown backend "${b}" (sqlite, etcd)`);
    } else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [${BENCHES.join(' ')}] [--backend sqlite,etcd] [--long] [--quick|--full]`);
      process.exit(0);
    } else if ((BENCHES as readonly string[]).includes(a.toLowerCase())) names.push(a.toLowerCase() as BenchName);
    else throw new Error(`unknown argument "${a}" (benchmarks: ${BENCHES.join(', ')}; flags: --backend, --long, --quick, --full)`);
  }
  return { names: names.length ? names : BENCHES.filter((b) => !EXPLICIT_ONLY.includes(b)), backends, long, size };
}

function runOne(name: BenchName, backend: BackendName, long: boolean, size: Size): Promise<BenchResult> {
  const timeoutMs = 600_000;
  switch (name) {
    case 'b1': return runB1(backend, { runs: 5 });
    case 'b2': return runB2(backend, { n: 3000, maxSeconds: 8, concurrency: 32 });
    case 'b3': return runB3(backend, { pods: 10_000, gets: 2000, lists: 10, listSeconds: 8 });
    case 'b4': return runB4(backend, { watchers: 100, rate: 500, seconds: long ? 60 : 20, refSeconds: 5 });
    case 'b8': return runB8(backend, { seconds: 10, settleSeconds: 2 });
    case 'b1-sim': return runB1Sim({ runs: size === 'quick' ? 1 : 3 });
    case 'b1-real': return runB1Real({ runs: size === 'quick' ? 1 : 3 });
    case 'b8-node': return runB8Node({ pods: size === 'quick' ? 10 : 110 });
    case 'b7': return size === 'quick'
      ? runB7({ sandboxes: 5, density: 20, batch: 5, background: 5, sequential: 5 })
      : runB7({ sandboxes: 20, density: 110, batch: 10, background: 40, sequential: 30 });
    case 'b5': return size === 'quick'
      ? runB5({ nodes: 500, initialPods: 100, measuredPods: 1000, clients: 32, refPods: 1000, refMaxMs: 4000, timeoutMs })
      : runB5({ nodes: 5000, initialPods: 1000, measuredPods: 10_000, clients: 32, refPods: 3000, refMaxMs: 8000, timeoutMs });
    case 'b6': return size === 'quick'
      ? runB6({ nodes: 50, pods: 200, clients: 32, refPods: 1000, refMaxMs: 3000, timeoutMs })
      : size === 'full'
        ? runB6({ nodes: 5000, pods: 10_000, clients: 32, refPods: 3000, refMaxMs: 8000, timeoutMs: 1_800_000 })
        : runB6({ nodes: 250, pods: 1000, clients: 32, refPods: 3000, refMaxMs: 5000, timeoutMs });
  }
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return String(round(x, x >= 100 ? 4 : 3));
}

function printResult(r: BenchResult): void {
  console.log(`\n${r.id} [${r.backend}] ${r.title} (${(r.durationMs / 1000).toFixed(1)} s)`);
  if (r.error) console.log(`  ERROR: ${r.error}`);
  for (const f of r.figures) {
    let line = `  ${f.metric}: ${fmt(f.value)} ${f.unit}`;
    if (f.reference) line += ` | ref ${fmt(f.reference.value)} ${f.reference.unit} (${f.reference.label}) | ratio ${f.ratio === undefined ? 'n/a' : fmt(f.ratio)}`;
    if (f.goal) line += ` | goal ${f.goal}: ${f.goalMet ? 'met' : 'not met'}`;
    console.log(line);
  }
  for (const n of r.notes) console.log(`  - ${n}`);
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { names, backends, long, size } = parseArgs(process.argv.slice(2));
  const launcher = chooseLauncher();
  console.log(`k8ts benchmarks: ${names.join(' ')} on ${backends.join(', ')}; server launched via ${launcher.launcher} (${launcher.why})`);
  const started = new Date();
  const results: BenchResult[] = [];
  for (const name of names) {
    for (const backend of SQLITE_ONLY.includes(name) ? (['sqlite'] as BackendName[]) : backends) {
      const t0 = performance.now();
      let r: BenchResult;
      try {
        r = await runOne(name, backend, long, size);
      } catch (err) {
        r = {
          id: name.toUpperCase(), title: '', backend, figures: [], notes: [],
          durationMs: performance.now() - t0, error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        };
      }
      results.push(r);
      printResult(r);
    }
  }
  const out = {
    date: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    machine: { hostname: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30), node: process.version },
    commit: process.env.K8TS_BENCH_COMMIT ?? git(['rev-parse', 'HEAD']),
    srcModified: process.env.K8TS_BENCH_COMMIT ? false : (git(['status', '--porcelain', '--', 'src']) ?? '') !== '',
    launcher,
    options: { names, backends, long, size },
    results,
  };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, '.md'), `${markdownTable(results)}\n`);
  console.log(`\nwrote ${file} and the same figures as a Markdown table in .md (${(out.durationMs / 1000).toFixed(0)} s)`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
