/**
 * B4: watch fan-out. `watchers` HTTPS watch streams on the pods of one namespace, then pod
 * creates at `rate`/s (open loop: each write is issued on schedule, whatever the earlier ones
 * are doing) for `seconds`. For every write and every watcher: receipt time − acknowledgement
 * time (the 201 of the create, when the write is committed). An event can reach a watcher before
 * its own 201 reaches the writer; such receipts count as 0 ms, and are counted. Also reported:
 * send → receipt, an upper bound that includes the write itself. A watcher is "dropped" if its
 * stream ends or errors, or if it misses any event by the end of the grace period.
 * Reference: the raw store's own watch latency (create resolved → onEvents) for one watcher at
 * the same write rate, same backend type, same run.
 */

import { request, type Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { openBackend, type BackendName } from './lib/backend.js';
import { call, createNamespace, mustCall } from './lib/http.js';
import { podBody, podName, podTemplate } from './lib/pod.js';
import { atLeast, atMost, figure, type BenchResult } from './lib/result.js';
import { adminAgent, apiOnlyArgs, startServerProcess, type ServerProcess } from './lib/server-process.js';
import { summarize } from './lib/stats.js';
import type { Store } from '../src/storage/store.js';

export interface B4Options {
  watchers: number;
  rate: number;
  seconds: number;
  /** Seconds of raw-store watch reference. */
  refSeconds: number;
}

const PREFIX = 'bw';
const NAME_MARK = `"name":"${PREFIX}`;
const NAME_LEN = 12;

interface WatchStream {
  ended: string | undefined;
  events: number;
  close(): void;
}

/** Opens one watch; onReceipt(index) is called for each pod event with the pod's write index. */
function openWatch(
  srv: ServerProcess, agent: Agent, path: string, onReceipt: (index: number, at: number) => void,
): Promise<WatchStream> {
  // Lines are scanned as bytes (no UTF-8 decoding, no JSON parsing): at 100 watchers × 500
  // events/s the client shares the machine's two cores with the server.
  const mark = Buffer.from(NAME_MARK);
  const errorMark = Buffer.from('{"type":"ERROR"');
  const digits = NAME_LEN - PREFIX.length;
  return new Promise((resolve, reject) => {
    let closing = false;
    const w: WatchStream = { ended: undefined, events: 0, close: () => {} };
    const req = request({ host: '127.0.0.1', port: srv.port, path, agent, headers: { Accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      let tail: Buffer | undefined;
      res.on('data', (chunk: Buffer) => {
        const at = performance.now();
        const buf = tail ? Buffer.concat([tail, chunk]) : chunk;
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
          const i = buf.indexOf(mark, start);
          if (i !== -1 && i < nl) {
            let n = 0;
            for (let k = i + mark.length, e = k + digits; k < e; k++) n = n * 10 + (buf[k]! - 48);
            w.events++;
            onReceipt(n, at);
          } else if (buf.indexOf(errorMark, start) === start) {
            w.ended ??= `ERROR event: ${buf.subarray(start, Math.min(nl, start + 300)).toString()}`;
          }
          start = nl + 1;
        }
        tail = start < buf.length ? buf.subarray(start) : undefined;
      });
      res.on('end', () => {
        if (!closing) w.ended ??= 'stream ended by the server';
      });
      res.on('error', (e) => {
        if (!closing) w.ended ??= `stream error: ${e.message}`;
      });
      resolve(w);
    });
    w.close = () => {
      closing = true;
      req.destroy();
    };
    req.on('error', (e) => {
      if (!closing) w.ended ??= `request error: ${e.message}`;
      reject(e);
    });
    req.end();
  });
}

/** Raw store watch latency for one watcher at `rate` creates/s for `seconds`. */
async function rawWatchLatency(store: Store, rate: number, seconds: number): Promise<{ ack: Float64Array; send: Float64Array; early: number }> {
  const prefix = `/bench/rawwatch-${Date.now().toString(36)}/`;
  const n = Math.round(rate * seconds);
  const sendAt = new Float64Array(n);
  const ackAt = new Float64Array(n).fill(NaN);
  const recvAt = new Float64Array(n).fill(NaN);
  const value = podBody(podTemplate('bench-watch', 0), podName(PREFIX, 0));
  const watcher = await store.watch(prefix, await store.currentRevision(), {
    onEvents(events) {
      const at = performance.now();
      for (const e of events) recvAt[Number(e.kv.key.slice(prefix.length))] = at;
    },
    onError() {},
  });
  await scheduleWrites(n, rate, 256, (i) => {
    sendAt[i] = performance.now();
    return store.create(`${prefix}${i}`, value).then(() => {
      ackAt[i] = performance.now();
    });
  });
  const until = performance.now() + 5_000;
  while (performance.now() < until && recvAt.some(Number.isNaN)) await sleep(20);
  await watcher.close();
  return latencies(sendAt, ackAt, recvAt);
}

function latencies(sendAt: Float64Array, ackAt: Float64Array, recvAt: Float64Array): { ack: Float64Array; send: Float64Array; early: number } {
  const ack: number[] = [];
  const send: number[] = [];
  let early = 0;
  const w = recvAt.length / sendAt.length;
  for (let j = 0; j < recvAt.length; j++) {
    const i = Math.floor(j / w);
    const r = recvAt[j]!;
    if (Number.isNaN(r) || Number.isNaN(ackAt[i]!)) continue;
    const d = r - ackAt[i]!;
    if (d < 0) early++;
    ack.push(Math.max(0, d));
    send.push(r - sendAt[i]!);
  }
  return { ack: Float64Array.from(ack), send: Float64Array.from(send), early };
}

/**
 * Issues write(i) for i in [0, n) on an open-loop schedule of `rate` per second, with at most
 * `maxInFlight` outstanding (beyond that, writes wait and the schedule slips; counted). Stops
 * issuing at n / rate seconds even if the server could not keep up; returns how many it issued.
 */
async function scheduleWrites(n: number, rate: number, maxInFlight: number, write: (i: number) => Promise<void>): Promise<{ issued: number; slipped: number; seconds: number }> {
  const start = performance.now();
  const deadline = start + (n / rate) * 1000;
  let issued = 0;
  let inFlight = 0;
  let slipped = 0;
  const pending = new Set<Promise<void>>();
  while (issued < n && performance.now() < deadline) {
    const due = Math.min(n, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (issued < due && performance.now() < deadline) {
      if (inFlight >= maxInFlight) {
        slipped++;
        await Promise.race(pending);
        continue;
      }
      const i = issued++;
      inFlight++;
      const p: Promise<void> = write(i).finally(() => {
        inFlight--;
        pending.delete(p);
      });
      pending.add(p);
    }
    await sleep(Math.max(1, ((issued / rate) * 1000) - (performance.now() - start)));
  }
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(pending);
  return { issued, slipped, seconds };
}

export async function runB4(backendName: BackendName, o: B4Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const ns = 'bench-watch';
  const backend = await openBackend(backendName);
  try {
    const raw = await rawWatchLatency(await backend.openRaw(), o.rate, o.refSeconds);
    const rawAck = summarize(raw.ack);
    const rawSend = summarize(raw.send);
    notes.push(`raw store watch, 1 watcher, ${o.rate} creates/s for ${o.refSeconds} s: ack→receipt p50 ${rawAck.p50Ms.toFixed(3)} / p99 ${rawAck.p99Ms.toFixed(3)} ms (${raw.early} before the create resolved); call→receipt p99 ${rawSend.p99Ms.toFixed(3)} ms`);

    const srv = await startServerProcess({ ...backend.server, extraArgs: apiOnlyArgs() });
    try {
      const writer = adminAgent(srv.creds, 64);
      await createNamespace(writer, srv.port, ns);
      const list = JSON.parse((await mustCall(writer, srv.port, { path: `/api/v1/namespaces/${ns}/pods` })).body.toString()) as { metadata: { resourceVersion: string } };
      const rv = list.metadata.resourceVersion;

      const n = Math.round(o.rate * o.seconds);
      const warm = 20;
      const total = n + warm;
      const sendAt = new Float64Array(total);
      const ackAt = new Float64Array(total).fill(NaN);
      const recvAt = new Float64Array(total * o.watchers).fill(NaN);
      const watchAgent = adminAgent(srv.creds, Infinity);
      const watchPath = `/api/v1/namespaces/${ns}/pods?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`;
      const streams: WatchStream[] = [];
      for (let wi = 0; wi < o.watchers; wi++) {
        const base = wi;
        streams.push(await openWatch(srv, watchAgent, watchPath, (idx, at) => {
          if (idx < total) recvAt[idx * o.watchers + base] = at;
        }));
      }

      const t = podTemplate(ns, 0);
      const path = `/api/v1/namespaces/${ns}/pods`;
      let writeErrors = 0;
      let firstError: string | undefined;
      const write = async (i: number): Promise<void> => {
        sendAt[i] = performance.now();
        const r = await call(writer, srv.port, { method: 'POST', path, body: podBody(t, podName(PREFIX, i)) });
        ackAt[i] = performance.now();
        if (r.status !== 201) {
          writeErrors++;
          firstError ??= `HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`;
        }
      };
      // Warm-up: a few writes, then wait until every watcher has them.
      for (let i = 0; i < warm; i++) await write(i);
      const warmUntil = performance.now() + 10_000;
      const allSeen = (from: number, to: number): boolean => {
        for (let j = from * o.watchers; j < to * o.watchers; j++) if (Number.isNaN(recvAt[j]!)) return false;
        return true;
      };
      while (!allSeen(0, warm) && performance.now() < warmUntil) await sleep(20);
      if (!allSeen(0, warm)) notes.push('warning: not every watcher saw the warm-up writes within 10 s');

      const sched = await scheduleWrites(n, o.rate, 256, (i) => write(i + warm));
      const end = warm + sched.issued;
      const graceUntil = performance.now() + 10_000;
      while (!allSeen(warm, end) && performance.now() < graceUntil) await sleep(20);

      const ended = streams.filter((s) => s.ended);
      let lagging = 0;
      for (let wi = 0; wi < o.watchers; wi++) {
        for (let i = warm; i < end; i++) {
          if (Number.isNaN(recvAt[i * o.watchers + wi]!) && !Number.isNaN(ackAt[i]!)) {
            lagging++;
            break;
          }
        }
      }
      for (const s of streams) s.close();
      watchAgent.destroy();
      writer.destroy();

      const lat = latencies(sendAt.subarray(warm, end), ackAt.subarray(warm, end), recvAt.subarray(warm * o.watchers, end * o.watchers));
      const sa = summarize(lat.ack);
      const ss = summarize(lat.send);
      const expected = sched.issued * o.watchers;
      const achieved = sched.issued / sched.seconds;
      notes.push(`${sched.issued} creates issued in ${sched.seconds.toFixed(1)} s (${achieved.toFixed(0)}/s achieved, target ${o.rate}/s; ${sched.slipped} times the writer waited for in-flight writes), ${writeErrors} write errors${firstError ? ` (first: ${firstError})` : ''}`);
      notes.push(`${lat.ack.length} of ${expected} receipts; ${lat.early} arrived before the writer got its 201 (counted as 0 ms)`);
      notes.push(`send→receipt: p50 ${ss.p50Ms.toFixed(2)} ms, p99 ${ss.p99Ms.toFixed(2)} ms, max ${ss.maxMs.toFixed(1)} ms; ack→receipt max ${sa.maxMs.toFixed(1)} ms`);
      if (ended.length) notes.push(`watch streams ended: ${ended.length} (first: ${ended[0]!.ended})`);
      return {
        id: 'B4',
        title: `watch fan-out: ${o.watchers} watchers, ${o.rate} writes/s for ${o.seconds} s`,
        backend: backendName,
        figures: [
          figure('ack → receipt p50', sa.p50Ms, 'ms', { reference: { label: 'raw store watch, 1 watcher, p50', value: rawAck.p50Ms, unit: 'ms' } }),
          figure('ack → receipt p99', sa.p99Ms, 'ms', { reference: { label: 'raw store watch, 1 watcher, p99', value: rawAck.p99Ms, unit: 'ms' }, goal: atMost(25, 'ms') }),
          figure('send → receipt p99', ss.p99Ms, 'ms', { reference: { label: 'raw store watch, call → receipt p99', value: rawSend.p99Ms, unit: 'ms' } }),
          figure('watchers dropped or missing events', Math.max(ended.length, lagging), 'watchers', { goal: atMost(0, 'watchers') }),
          figure('writes/s achieved', achieved, 'ops/s', { goal: atLeast(o.rate * 0.98, 'ops/s') }),
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
