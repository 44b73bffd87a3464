/**
 * bench/lib/raw-store-rate: the raw storage write rate, the reference the API benchmarks are
 * compared against. Creates n keys with 2 KB JSON values straight through Store.create(),
 * from `concurrency` concurrent writers, and reports throughput and per-write latency.
 */

import type { Store } from '../../src/storage/store.js';

export interface RawInsertOptions {
  /** Number of creates. */
  n: number;
  /** Writers issuing creates at the same time (each waits for its previous create). Default 1. */
  concurrency?: number;
  /** Key prefix; default a fresh "/bench/raw-<time>/" so runs never collide. */
  prefix?: string;
  /** Value size in bytes. Default 2048. */
  valueBytes?: number;
}

export interface RawInsertResult {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** A JSON value of exactly `bytes` bytes (ASCII), roughly shaped like a stored object. */
export function makeValue(bytes: number): string {
  const shell = JSON.stringify({ kind: 'Bench', pad: '' });
  return JSON.stringify({ kind: 'Bench', pad: 'x'.repeat(Math.max(0, bytes - shell.length)) });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function measureRawInsertRate(store: Store, opts: RawInsertOptions): Promise<RawInsertResult> {
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 1, opts.n));
  const prefix = opts.prefix ?? `/bench/raw-${Date.now().toString(36)}/`;
  const value = makeValue(opts.valueBytes ?? 2048);
  const latencies = new Float64Array(opts.n);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < opts.n; i = next++) {
      const t0 = performance.now();
      await store.create(`${prefix}${String(i).padStart(8, '0')}`, value);
      latencies[i] = performance.now() - t0;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return { opsPerSec: opts.n / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}
