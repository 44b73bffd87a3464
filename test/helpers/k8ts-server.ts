/**
 * Integration-test harness: a real k8ts server in this process on a temporary data dir and a free
 * loopback port, and the real kubectl to drive it.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/index.js';
import { controllerNames } from '../../src/server/start.js';
import { ensureTestImages } from './images.js';
import { acquireTestNetwork, type TestNetwork } from './node-network.js';

export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  url: string;
  kubeconfig: string;
  /** Runs kubectl (1.32 unless version given) against the server. */
  kubectl(args: string[], opts?: { input?: string; version?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<KubectlResult>;
  /** Runs kubectl 1.32 and returns its stdout; throws with stderr when it fails. */
  ok(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Every component `disable` can turn off: the API server alone, for tests of its own behaviour. */
export function allComponents(): string[] {
  return ['scheduler', ...controllerNames()];
}

export async function startTestServer(opts: Partial<ServerOptions> & { apiOnly?: boolean } = {}): Promise<TestServer> {
  // Without controllers no namespace gets its `default` ServiceAccount, so pods could not pass
  // ServiceAccount admission: API-only servers leave that plugin out.
  if (opts.apiOnly) opts = { ...opts, disable: allComponents(), disableAdmission: [...new Set([...(opts.disableAdmission ?? []), 'ServiceAccount'])] };
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'k8ts-test-')));
  const cacheDir = await mkdtemp(join(tmpdir(), 'k8ts-kubectl-cache-'));
  // A real node: its own pod network (cluster CIDR, bridge), a free kubelet port, the test images in D/images.
  let net: TestNetwork | undefined;
  if (opts.runtime === 'containerd') {
    net = acquireTestNetwork();
    const images = await ensureTestImages();
    await mkdir(join(dataDir, 'images'), { recursive: true });
    await copyFile(images.pause, join(dataDir, 'images', 'pause.tar'));
    await copyFile(images.busybox, join(dataDir, 'images', 'busybox.tar'));
    opts = { clusterCidr: net.clusterCidr, cniBridge: net.cniBridge, kubeletPort: 0, ...opts };
  }
  let server: RunningServer;
  try {
    server = await startServer({ listen: '127.0.0.1:0', log: () => {}, ...opts, dataDir });
  } catch (err) {
    net?.release();
    throw err;
  }
  const kubectl = (args: string[], o: { input?: string; version?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> =>
    runKubectl(['--kubeconfig', server.kubeconfigPath, '--cache-dir', cacheDir, ...args], o);
  return {
    server, dataDir, url: server.url, kubeconfig: server.kubeconfigPath, kubectl,
    async ok(args, input) {
      const r = await kubectl(args, { input });
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    },
    async stop() {
      // Pod sandboxes go before containerd stops, so no container outlives the test server.
      await server.node?.stop({ removePods: true });
      await server.stop();
      net?.release();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

export function runKubectl(args: string[], o: { input?: string; version?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const bin = o.version === 'dispatcher' ? '/usr/bin/kubectl' : join(KUBECTL_DIR, `kubectl.${o.version ?? '1.32'}`);
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: { ...process.env, ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(o.input ?? '');
  });
}

export { execFile };
