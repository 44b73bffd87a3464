/**
 * bench/lib/kube: the cluster-level load helpers of B5, B6 and B1-sim: many creates or deletes
 * from concurrent keep-alive clients, and watches whose events are parsed (these benchmarks need
 * spec.nodeName, status.phase and conditions from each event).
 */

import { Agent, request } from 'node:https';
import { call, type RequestOptions } from './http.js';
import type { Credentials } from './server-process.js';

export interface ManyResult {
  ok: number;
  errors: number;
  firstError?: string;
  /** performance.now() when the first request was sent and when the last one finished. */
  startedAt: number;
  endedAt: number;
  perSecond: number;
}

/**
 * Issues n requests, `concurrency` at a time (each client waits for its previous answer).
 * Stops early after `maxMs` if given. `req(i)` builds request i.
 */
export async function many(
  agent: Agent, port: number, n: number, concurrency: number, req: (i: number) => RequestOptions,
  o: { ok?: number[]; maxMs?: number } = {},
): Promise<ManyResult> {
  const okCodes = o.ok ?? [200, 201, 202];
  let next = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const startedAt = performance.now();
  const deadline = o.maxMs ? startedAt + o.maxMs : Infinity;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n && performance.now() < deadline; i = next++) {
      try {
        const r = await call(agent, port, req(i));
        if (okCodes.includes(r.status)) ok++;
        else {
          errors++;
          firstError ??= `HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`;
        }
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  const endedAt = performance.now();
  return { ok, errors, firstError, startedAt, endedAt, perSecond: ok / ((endedAt - startedAt) / 1000) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface Watch {
  /** Resolves when the stream ends (abort, or the server closed it). */
  done: Promise<void>;
  abort(): void;
}

/**
 * Opens a watch (`path` must carry `watch=1` and whatever selectors/resourceVersion it needs) and
 * calls onEvent for every event, parsed. Uses a connection of its own.
 */
export function watch(creds: Credentials, port: number, path: string, onEvent: (type: string, obj: Obj) => void): Watch {
  const agent = new Agent({ keepAlive: false, ca: creds.ca, cert: creds.cert, key: creds.key });
  let req: ReturnType<typeof request> | undefined;
  const done = new Promise<void>((resolve) => {
    req = request({ host: '127.0.0.1', port, path, method: 'GET', agent, headers: { Accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          onEvent('ERROR', { message: `watch ${path}: HTTP ${res.statusCode}: ${body.slice(0, 300)}` });
          resolve();
        });
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: Obj };
          onEvent(ev.type, ev.object);
        }
      });
      res.on('end', () => resolve());
      res.on('error', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
  return {
    done,
    abort() {
      req?.destroy();
      agent.destroy();
    },
  };
}

/** The list's resourceVersion, to start a watch right after it. */
export async function listRv(agent: Agent, port: number, path: string): Promise<{ rv: string; items: Obj[] }> {
  const r = await call(agent, port, { path });
  if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`);
  const list = JSON.parse(r.body.toString()) as { metadata: { resourceVersion: string }; items: Obj[] };
  return { rv: list.metadata.resourceVersion, items: list.items };
}

/** Resolves when `cond()` holds (checked every `everyMs`) or rejects after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what: () => string, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** scheduler_perf's node-default.yaml: pods 110, cpu 4, memory 32Gi, Ready. */
export function perfNode(name: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    spec: {},
    status: {
      capacity: { pods: '110', cpu: '4', memory: '32Gi' },
      allocatable: { pods: '110', cpu: '4', memory: '32Gi' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench node', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
      phase: 'Running',
    },
  };
}

/** scheduler_perf's pod-default.yaml: one pause container requesting 100m CPU and 500Mi. */
export function perfPod(namespace: string, name: string, schedulerName?: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      ...(schedulerName ? { schedulerName } : {}),
      containers: [{
        name: 'pause',
        image: 'registry.k8s.io/pause:3.10',
        ports: [{ containerPort: 80 }],
        resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } },
      }],
    },
  };
}

export const isReady = (node: Obj): boolean =>
  (node.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');

/** Agents with the admin certificate: `clients` keep-alive sockets. */
export function adminAgentFor(creds: Credentials, clients: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients, ca: creds.ca, cert: creds.cert, key: creds.key });
}
