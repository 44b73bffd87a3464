/**
 * bench/lib/markdown: a results table in Markdown (for bench/README.md), one row per figure.
 */

import type { BenchResult } from './result.js';
import { round } from './stats.js';

function num(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  const r = round(x, x >= 100 ? 4 : 3);
  return r >= 1000 ? r.toLocaleString('en-US') : String(r);
}

export function markdownTable(results: BenchResult[]): string {
  const rows = ['| # | store | metric | value | reference (same run) | ratio | goal |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of results) {
    if (r.error) {
      rows.push(`| ${r.id} | ${r.backend} | could not run: ${r.error.split('\n')[0]!.replaceAll('|', '\\|')} | | | | |`);
      continue;
    }
    for (const f of r.figures) {
      const ref = f.reference ? `${num(f.reference.value)} ${f.reference.unit} (${f.reference.label})` : '';
      const ratio = f.reference ? (f.ratio === undefined ? 'n/a' : num(f.ratio)) : '';
      const goal = f.goal ? `${f.goal} ${f.goalMet ? '✓' : '✗'}` : '';
      rows.push(`| ${r.id} | ${r.backend} | ${f.metric} | ${num(f.value)} ${f.unit} | ${ref.replaceAll('|', '\\|')} | ${ratio} | ${goal} |`);
    }
  }
  return rows.join('\n');
}
