/**
 * B2: create 2 KB Pods through the API over HTTPS (admin client certificate, keep-alive): one
 * client issuing creates one after another, then 32 concurrent clients. Each phase stops after
 * `n` creates or `maxSeconds`, whichever comes first. Reference: the raw store's own create rate
 * for 2 KB values (bench/lib/raw-store-rate.ts) on the same backend type in the same run, with
 * the same number of concurrent writers.
 */

import type { Agent } from 'node:https';
import { openBackend, type BackendName } from './lib/backend.js';
import { call, createNamespace } from './lib/http.js';
import { podBody, podName, podTemplate } from './lib/pod.js';
import { measureRawInsertRate } from './lib/raw-store-rate.js';
import { atLeast, atMost, figure, type BenchResult } from './lib/result.js';
import { adminAgent, apiOnlyArgs, startServerProcess } from './lib/server-process.js';
import { summarize } from './lib/stats.js';

export interface B2Options {
  /** Creates per phase (upper bound). */
  n: number;
  /** Time bound per phase. */
  maxSeconds: number;
  concurrency: number;
}

export interface CreateRun {
  ops: number;
  opsPerSec: number;
  latencies: Float64Array;
  errors: number;
  firstError?: string;
}

/** `concurrency` workers creating pods named prefix+index until n creates or maxSeconds. */
export async function createPods(
  agent: Agent, port: number, namespace: string, prefix: string,
  o: { n: number; maxSeconds: number; concurrency: number; bytes: number },
): Promise<CreateRun> {
  const t = podTemplate(namespace, o.bytes);
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const latencies = new Float64Array(o.n);
  let next = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + o.maxSeconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const i = next++;
      if (i >= o.n) return;
      const body = podBody(t, podName(prefix, i));
      const t0 = performance.now();
      const r = await call(agent, port, { method: 'POST', path, body });
      latencies[i] = performance.now() - t0;
      done++;
      if (r.status !== 201) {
        errors++;
        firstError ??= `HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { ops: done, opsPerSec: done / seconds, latencies: latencies.subarray(0, done), errors, firstError };
}

export async function runB2(backendName: BackendName, o: B2Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const backend = await openBackend(backendName);
  try {
    const srv = await startServerProcess({ ...backend.server, extraArgs: apiOnlyArgs() });
    try {
      const bytes = 2048;
      notes.push(`pod request body ${podTemplate('bench-w1', bytes).bytes} bytes`);
      // Reference first, while the server sits idle: raw Store.create of 2 KB values.
      const raw1 = await measureRawInsertRate(await backend.openRaw(), { n: o.n });
      const rawN = await measureRawInsertRate(await backend.openRaw(), { n: o.n, concurrency: o.concurrency });

      const a1 = adminAgent(srv.creds, 1);
      await createNamespace(a1, srv.port, 'bench-w1');
      // A short warm-up so the first phase does not measure JIT and TLS set-up.
      await createPods(a1, srv.port, 'bench-w1', 'warm', { n: 200, maxSeconds: 5, concurrency: 1, bytes });
      const one = await createPods(a1, srv.port, 'bench-w1', 'p', { n: o.n, maxSeconds: o.maxSeconds, concurrency: 1, bytes });
      a1.destroy();

      const aN = adminAgent(srv.creds, o.concurrency);
      await createNamespace(aN, srv.port, 'bench-w32');
      const many = await createPods(aN, srv.port, 'bench-w32', 'p', { n: o.n, maxSeconds: o.maxSeconds, concurrency: o.concurrency, bytes });
      aN.destroy();

      const s1 = summarize(one.latencies);
      const sN = summarize(many.latencies);
      notes.push(`1 client: ${one.ops} creates, ${one.errors} errors${one.firstError ? ` (first: ${one.firstError})` : ''}`);
      notes.push(`${o.concurrency} clients: ${many.ops} creates, ${many.errors} errors${many.firstError ? ` (first: ${many.firstError})` : ''}`);
      notes.push(`raw store 1 writer: p50 ${raw1.p50Ms.toFixed(3)} ms, p99 ${raw1.p99Ms.toFixed(3)} ms; ${o.concurrency} writers: p99 ${rawN.p99Ms.toFixed(3)} ms`);
      const ref1 = { label: `raw ${backendName} Store.create 2 KB, 1 writer`, value: raw1.opsPerSec, unit: 'ops/s' };
      const refN = { label: `raw ${backendName} Store.create 2 KB, ${o.concurrency} writers`, value: rawN.opsPerSec, unit: 'ops/s' };
      return {
        id: 'B2',
        title: 'API writes: create 2 KB Pods over HTTPS',
        backend: backendName,
        figures: [
          figure('1 client: creates/s', one.opsPerSec, 'ops/s', { reference: ref1 }),
          figure('1 client: p50 latency', s1.p50Ms, 'ms', { reference: { label: 'raw store 1 writer p50', value: raw1.p50Ms, unit: 'ms' }, goal: atMost(1, 'ms') }),
          figure('1 client: p99 latency', s1.p99Ms, 'ms', { reference: { label: 'raw store 1 writer p99', value: raw1.p99Ms, unit: 'ms' }, goal: atMost(5, 'ms') }),
          figure(`${o.concurrency} clients: creates/s`, many.opsPerSec, 'ops/s', { reference: refN, goal: atLeast(3000, 'ops/s') }),
          figure(`${o.concurrency} clients: p99 latency`, sN.p99Ms, 'ms', { reference: { label: `raw store ${o.concurrency} writers p99`, value: rawN.p99Ms, unit: 'ms' }, goal: atMost(50, 'ms') }),
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
