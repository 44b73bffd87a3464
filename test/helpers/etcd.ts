/**
 * test/helpers/etcd: starts a real single-member etcd (Debian's etcd-server, /usr/bin/etcd) on
 * free loopback ports with a temporary data dir, for tests of the etcd storage backend.
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ETCD_BINARY = process.env.K8TS_ETCD_BINARY ?? '/usr/bin/etcd';

export interface TestEtcd {
  /** Client URLs, e.g. ["http://127.0.0.1:40123"]. */
  endpoints: string[];
  /** Stops etcd and removes its data dir. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (listen on 0, read it, close). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEtcd(opts: { binary?: string; readyTimeoutMs?: number } = {}): Promise<TestEtcd> {
  const binary = opts.binary ?? ETCD_BINARY;
  if (!existsSync(binary)) {
    throw new Error(`etcd not found at ${binary}: install it with \`apt-get install etcd-server\` (or set K8TS_ETCD_BINARY)`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // etcd 3.4 refuses to start on architectures other than amd64 unless told to.
  if (process.arch === 'arm64') env.ETCD_UNSUPPORTED_ARCH = 'arm64';
  const child: ChildProcess = spawn(
    binary,
    [
      '--name', 'default',
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--logger', 'zap',
      '--log-level', 'error',
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `etcd exited (code ${code}, signal ${signal})`;
      resolve();
    }),
  );

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(killTimer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${exited} before becoming healthy:\n${stderr}`);
    }
    try {
      const res = await fetch(`${clientUrl}/health`);
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd at ${clientUrl} did not become healthy in time:\n${stderr}`);
    }
    await sleep(50);
  }
  return { endpoints: [clientUrl], stop };
}
