/**
 * Shared helpers for the end-to-end workload tests (e2e-*.test.ts): the real kubectl 1.32 against
 * `k8ts server --runtime sim --sim-nodes 3` in this process, with the scheduler and every
 * controller running and pods run by the simulated nodes (no fake kubelet).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KUBECTL_DIR, startTestServer, type TestServer } from './k8ts-server.js';
import type { ServerOptions } from '../../src/server/index.js';

export interface E2E {
  t: TestServer;
  /** kubectl ARGS; throws with stderr unless it exits 0; returns stdout. */
  ok(args: string[], input?: string): Promise<string>;
  /** kubectl ARGS -o json, parsed. */
  json(...args: string[]): Promise<any>;
  /** NODE of every pod matching the selector (Running or not), from `get pods -o wide`. */
  nodesOf(ns: string, selector: string): Promise<string[]>;
}

export async function startE2E(extra: Partial<ServerOptions> = {}): Promise<E2E> {
  const t = await startTestServer({ runtime: 'sim', simNodes: 3, ...extra });
  await t.server.controllers.synced;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await t.kubectl(args, { input, timeoutMs: 90_000 });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const json = async (...args: string[]): Promise<any> => JSON.parse(await ok([...args, '-o', 'json']));
  const nodesOf = async (ns: string, selector: string): Promise<string[]> => {
    const out = await ok(['-n', ns, 'get', 'pods', '-l', selector, '-o', 'wide', '--no-headers']);
    return out.trim().split('\n').filter(Boolean).map((l) => l.split(/\s+/)[6]);
  };
  return { t, ok, json, nodesOf };
}

/** Polls until check returns something truthy (a few hundred tries, 100 ms apart). */
export async function eventually<T>(check: () => Promise<T | undefined | false | null>, what: string, tries = 600): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Rows of `kubectl get ... --no-headers`, split on whitespace. */
export function rows(out: string): string[][] {
  return out.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/));
}

export const SEEDS = new URL('../fixtures/seeds/', import.meta.url).pathname;

/** `kubectl get -w --output-watch-events` running in the background; stop() ends it and returns its lines. */
export function watch(t: TestServer, args: string[]): { lines(): string[]; stop(): Promise<string[]> } {
  const child = spawn(join(KUBECTL_DIR, 'kubectl.1.32'), ['--kubeconfig', t.kubeconfig, ...args, '-w', '--output-watch-events', '--no-headers'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const lines = (): string[] => out.trim().split('\n').filter(Boolean);
  return {
    lines,
    async stop() {
      child.kill('SIGTERM');
      await closed;
      return lines();
    },
  };
}
