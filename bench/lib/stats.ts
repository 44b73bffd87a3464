/**
 * bench/lib/stats: percentiles and small summaries of latency samples (milliseconds).
 */

/** The p-th percentile (nearest rank) of an ascending-sorted array; 0 for an empty one. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

export function median(xs: ArrayLike<number>): number {
  return percentile(sortedCopy(xs), 50);
}

export interface LatencySummary {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export function summarize(xs: ArrayLike<number>): LatencySummary {
  const s = sortedCopy(xs);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return {
    n: s.length,
    p50Ms: percentile(s, 50),
    p99Ms: percentile(s, 99),
    maxMs: s.length ? s[s.length - 1]! : 0,
    meanMs: s.length ? sum / s.length : 0,
  };
}

/** Rounds to a sensible number of significant digits for printing and JSON. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const mag = Math.floor(Math.log10(Math.abs(x)));
  const f = 10 ** Math.max(0, digits - 1 - mag);
  return Math.round(x * f) / f;
}
