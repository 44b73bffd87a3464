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
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { runB1 } from './b1-cold-start.js';
import { runB2 } from './b2-writes.js';
import { runB3 } from './b3-reads.js';
import { runB4 } from './b4-watch.js';
import { runB8 } from './b8-footprint.js';
import type { BackendName } from './lib/backend.js';
import { markdownTable } from './lib/markdown.js';
import type { BenchResult } from './lib/result.js';
import { chooseLauncher, ROOT } from './lib/server-process.js';
import { round } from './lib/stats.js';

const BENCHES = ['b1', 'b2', 'b3', 'b4', 'b8'] as const;
type BenchName = (typeof BENCHES)[number];

function parseArgs(argv: string[]): { names: BenchName[]; backends: BackendName[]; long: boolean } {
  const names: BenchName[] = [];
  let backends: BackendName[] = ['sqlite', 'etcd'];
  let long = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--long') long = true;
    else if (a === '--backend') {
      const v = argv[++i] ?? '';
      backends = v.split(',').map((s) => s.trim()) as BackendName[];
      for (const b of backends) if (b !== 'sqlite' && b !== 'etcd') throw new Error(`--backend: unknown backend "${b}" (sqlite, etcd)`);
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [b1 b2 b3 b4 b8] [--backend sqlite,etcd] [--long]');
      process.exit(0);
    } else if ((BENCHES as readonly string[]).includes(a.toLowerCase())) names.push(a.toLowerCase() as BenchName);
    else throw new Error(`unknown argument "${a}" (benchmarks: ${BENCHES.join(', ')}; flags: --backend, --long)`);
  }
  return { names: names.length ? names : [...BENCHES], backends, long };
}

function runOne(name: BenchName, backend: BackendName, long: boolean): Promise<BenchResult> {
  switch (name) {
    case 'b1': return runB1(backend, { runs: 5 });
    case 'b2': return runB2(backend, { n: 3000, maxSeconds: 8, concurrency: 32 });
    case 'b3': return runB3(backend, { pods: 10_000, gets: 2000, lists: 10, listSeconds: 8 });
    case 'b4': return runB4(backend, { watchers: 100, rate: 500, seconds: long ? 60 : 20, refSeconds: 5 });
    case 'b8': return runB8(backend, { seconds: 10, settleSeconds: 2 });
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
  const { names, backends, long } = parseArgs(process.argv.slice(2));
  const launcher = chooseLauncher();
  console.log(`k8ts benchmarks: ${names.join(' ')} on ${backends.join(', ')}; server launched via ${launcher.launcher} (${launcher.why})`);
  const started = new Date();
  const results: BenchResult[] = [];
  for (const name of names) {
    for (const backend of backends) {
      const t0 = performance.now();
      let r: BenchResult;
      try {
        r = await runOne(name, backend, long);
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
    options: { names, backends, long },
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
