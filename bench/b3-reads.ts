/**
 * B3: reads through the API over HTTPS. GET one pod (p99 over `gets` sequential requests), and
 * LIST 10,000 2 KB pods in one namespace as JSON and as a Table (p99 over `lists` sequential
 * lists, each timed to the last byte of the body). Reference: the raw store's list of the same
 * 10,000 keys (opened on the server's data after it stopped, or the same etcd). The 10,000 pods
 * are one API-created pod cloned straight into the store (see the fill below).
 */

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend, type BackendName } from './lib/backend.js';
import { call, createNamespace, mustCall } from './lib/http.js';
import { podBody, podName, podTemplate } from './lib/pod.js';
import { atMost, figure, type BenchResult } from './lib/result.js';
import { adminAgent, apiOnlyArgs, startServerProcess } from './lib/server-process.js';
import { summarize } from './lib/stats.js';

export interface B3Options {
  pods: number;
  gets: number;
  lists: number;
  /** Time bound per list representation (at least 5 lists are always done). */
  listSeconds: number;
}

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export async function runB3(backendName: BackendName, o: B3Options): Promise<BenchResult> {
  const started = performance.now();
  const notes: string[] = [];
  const ns = 'bench-list';
  const backend = await openBackend(backendName);
  // Our own data dir, kept after the server stops so the raw store can open the same file.
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-bench-b3-'));
  try {
    // Fill: one pod created through the API, then cloned (new name and uid) straight into the
    // store while the server is down: creating 10,000 pods through the API is B2's job, and at
    // today's create rate it would take most of the time budget. The server's watch cache loads
    // them all when it starts again.
    const first = await startServerProcess({ ...backend.server, dataDir, extraArgs: apiOnlyArgs() });
    const name0 = podName('p', 0);
    try {
      const a = adminAgent(first.creds, 1);
      await createNamespace(a, first.port, ns);
      await mustCall(a, first.port, { method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: podBody(podTemplate(ns, 2048), name0) });
      a.destroy();
    } finally {
      await first.stop();
    }
    const prefix = `/registry/core/pods/${ns}/`;
    {
      const raw = await backend.openRawAt(dataDir);
      const kv = await raw.get(prefix + name0);
      if (!kv) throw new Error(`pod ${name0} not found in the store at ${prefix}${name0}`);
      const uid0 = (JSON.parse(kv.value) as { metadata: { uid: string } }).metadata.uid;
      const t0 = performance.now();
      let next = 1;
      await Promise.all(Array.from({ length: 32 }, async () => {
        for (let i = next++; i < o.pods; i = next++) {
          const name = podName('p', i);
          await raw.create(prefix + name, kv.value.replaceAll(`"${name0}"`, `"${name}"`).replaceAll(uid0, randomUUID()));
        }
      }));
      notes.push(`filled ${o.pods} pods: 1 through the API, ${o.pods - 1} cloned into the store (${((o.pods - 1) / ((performance.now() - t0) / 1000)).toFixed(0)}/s); stored pod ${kv.value.length} bytes`);
      await raw.close();
    }

    const srv = await startServerProcess({ ...backend.server, dataDir, extraArgs: apiOnlyArgs() });
    let rawLists: number[] = [];
    try {
      const one = adminAgent(srv.creds, 1);
      const getPath = `/api/v1/namespaces/${ns}/pods/${podName('p', Math.floor(o.pods / 2))}`;
      for (let i = 0; i < 100; i++) await mustCall(one, srv.port, { path: getPath });
      const gets = new Float64Array(o.gets);
      for (let i = 0; i < o.gets; i++) {
        const t0 = performance.now();
        const r = await call(one, srv.port, { path: getPath });
        gets[i] = performance.now() - t0;
        if (r.status !== 200) throw new Error(`GET ${getPath}: HTTP ${r.status}`);
      }

      const listPath = `/api/v1/namespaces/${ns}/pods`;
      const timeLists = async (accept: string): Promise<{ ms: Float64Array; bytes: number }> => {
        const first = await mustCall(one, srv.port, { path: listPath, accept });
        const ms: number[] = [];
        // `lists` lists, but stop after listSeconds if at least 5 were done.
        const until = performance.now() + o.listSeconds * 1000;
        for (let i = 0; i < o.lists && (i < 5 || performance.now() < until); i++) {
          const t0 = performance.now();
          const r = await call(one, srv.port, { path: listPath, accept });
          ms.push(performance.now() - t0);
          if (r.status !== 200) throw new Error(`LIST ${listPath}: HTTP ${r.status}`);
        }
        return { ms: Float64Array.from(ms), bytes: first.body.length };
      };
      const json = await timeLists('application/json');
      const parsed = JSON.parse((await mustCall(one, srv.port, { path: listPath })).body.toString()) as { items: unknown[] };
      if (parsed.items.length !== o.pods) throw new Error(`LIST returned ${parsed.items.length} pods, expected ${o.pods}`);
      const table = await timeLists(TABLE_ACCEPT);
      const tparsed = JSON.parse((await mustCall(one, srv.port, { path: listPath, accept: TABLE_ACCEPT })).body.toString()) as { kind: string; rows: unknown[] };
      if (tparsed.kind !== 'Table' || tparsed.rows.length !== o.pods) throw new Error(`Table LIST returned kind ${tparsed.kind} with ${tparsed.rows?.length} rows`);
      one.destroy();
      notes.push(`JSON list body ${(json.bytes / 1e6).toFixed(1)} MB, Table list body ${(table.bytes / 1e6).toFixed(1)} MB`);

      const sg = summarize(gets);
      const sj = summarize(json.ms);
      const st = summarize(table.ms);
      notes.push(`${o.gets} GETs, ${json.ms.length} JSON lists, ${table.ms.length} Table lists`);
      notes.push(`GET p50 ${sg.p50Ms.toFixed(3)} ms; JSON LIST p50 ${sj.p50Ms.toFixed(1)} ms; Table LIST p50 ${st.p50Ms.toFixed(1)} ms`);

      await srv.stop();
      // Reference: the raw store lists the same keys (SQLite: the server's own file, now closed).
      const raw = await backend.openRawAt(dataDir);
      rawLists = [];
      for (let i = 0; i < o.lists + 1; i++) {
        const t0 = performance.now();
        const l = await raw.list({ prefix });
        if (i > 0) rawLists.push(performance.now() - t0);
        if (l.items.length !== o.pods) throw new Error(`raw list of ${prefix} returned ${l.items.length} keys`);
      }
      const sr = summarize(rawLists);
      const ref = { label: `raw ${backendName} Store.list of the same ${o.pods} keys, p99`, value: sr.p99Ms, unit: 'ms' };
      return {
        id: 'B3',
        title: `API reads: GET one pod; LIST ${o.pods} pods`,
        backend: backendName,
        figures: [
          figure('GET one pod: p99', sg.p99Ms, 'ms', { goal: atMost(5, 'ms') }),
          figure(`LIST ${o.pods} pods JSON: p99`, sj.p99Ms, 'ms', { reference: ref, goal: atMost(300, 'ms') }),
          figure(`LIST ${o.pods} pods Table: p99`, st.p99Ms, 'ms', { reference: ref, goal: atMost(300, 'ms') }),
        ],
        notes,
        durationMs: performance.now() - started,
      };
    } finally {
      await srv.stop();
    }
  } finally {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
