/**
 * test/helpers/server-process: `k8ts server` as a child process (node --import tsx
 * src/cli/run.ts, one process, so signals reach the server itself) on a given data dir and
 * loopback port; resolves once the server says it is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

export async function startServerProcess(opts: {
  dataDir: string;
  port: number;
  store?: 'sqlite' | 'etcd';
  etcdEndpoints?: string[];
  readyTimeoutMs?: number;
}): Promise<ServerProcess> {
  const args = ['--import', 'tsx', resolve(ROOT, 'src/cli/run.ts'), 'server',
    '--data-dir', opts.dataDir, '--listen', `127.0.0.1:${opts.port}`, '--runtime', 'none'];
  if (opts.store) args.push('--store', opts.store);
  if (opts.etcdEndpoints) args.push('--etcd-endpoints', opts.etcdEndpoints.join(','));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => res({ code, signal }));
  });
  const proc: ServerProcess = {
    child,
    url: `https://127.0.0.1:${opts.port}`,
    stderr: () => stderr,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`k8ts server did not become ready:\n${stderr}`));
    }, opts.readyTimeoutMs ?? 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('API server ready at')) {
        clearTimeout(timer);
        res();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`k8ts server exited (code ${code}, signal ${signal}) before it was ready:\n${stderr}`));
    });
  });
  return proc;
}
