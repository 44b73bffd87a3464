/**
 * `k8ts agent` as its own process joining a running server with the token from D/server/token:
 * the node registers, gets a podCIDR from the node IPAM controller and turns Ready on real
 * containerd; a restarted agent reuses its stored credentials.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireTestNetwork, type TestNetwork } from '../helpers/node-network.js';
import { pollUntil } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = 'joined-node-1';
const BUSYBOX = 'k8ts.local/busybox:1.36';

interface AgentProcess {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

function startAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli/run.ts'), 'agent', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, stderr: () => stderr, exited };
}

async function stopAgent(a: AgentProcess | undefined): Promise<void> {
  if (!a || a.child.exitCode !== null || a.child.signalCode !== null) return;
  a.child.kill('SIGTERM');
  await a.exited;
}

describe('k8ts agent joins a server', () => {
  let t: TestServer;
  let agentDir: string;
  let agent: AgentProcess | undefined;
  const serverLog: string[] = [];
  // A pod network no other test file on this machine uses (cluster CIDR and bridge).
  let net: TestNetwork;

  beforeAll(async () => {
    net = acquireTestNetwork();
    t = await startTestServer({ clusterCidr: net.clusterCidr, log: (m) => serverLog.push(m) });
    agentDir = await mkdtemp(join(tmpdir(), 'k8ts-agent-proc-'));
  });
  afterAll(async () => {
    await t?.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--wait=true']);
    await stopAgent(agent);
    await t?.stop();
    net?.release();
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
  });

  const agentArgs = () => [
    '--server', t.url, '--token-file', t.server.joinTokenPath, '--data-dir', agentDir, '--node-name', NODE,
    '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--cni-bridge', net.cniBridge,
  ];

  it('the server says how to join without printing the token', async () => {
    const token = (await readFile(t.server.joinTokenPath, 'utf8')).trim();
    const line = serverLog.find((l) => l.includes('join more nodes with'));
    expect(line).toBe(`k8ts: join more nodes with: k8ts agent --server ${t.url} --token "$(cat ${t.server.joinTokenPath})"`);
    expect(serverLog.join('\n')).not.toContain(token);
  });

  it('refuses a wrong token and exits non-zero', async () => {
    const token = (await readFile(t.server.joinTokenPath, 'utf8')).trim().replace(/:[0-9a-f]+$/, ':deadbeef');
    const bad = startAgent(['--server', t.url, '--token', token, '--data-dir', agentDir, '--node-name', 'intruder', '--kubelet-port', '0']);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toContain('refused the join token (401 Unauthorized)');
    expect((await t.kubectl(['get', 'node', 'intruder'])).stderr).toContain('nodes "intruder" not found');
  });

  it('registers its Node, which gets a podCIDR and becomes Ready on containerd', async () => {
    agent = startAgent(agentArgs());
    await pollUntil(async () => {
      if (agent!.child.exitCode !== null) throw new Error(`agent exited: ${agent!.stderr()}`);
      const r = await t.kubectl(['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return r.stdout === 'True';
    }, `node ${NODE} Ready`, 1200, 100);
    const wide = (await t.ok(['get', 'node', NODE, '-o', 'wide'])).split('\n')[1]!;
    expect(wide).toMatch(new RegExp(`^${NODE}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\S*\\s+127\\.0\\.0\\.1\\s+<none>\\s+.+containerd://\\S+\\s*$`));
    const [a, b] = net.clusterCidr.split('.');
    expect(await t.ok(['get', 'node', NODE, '-o', 'jsonpath={.spec.podCIDR}'])).toMatch(new RegExp(`^${a}\\.${b}\\.\\d+\\.0/24$`));
    expect(Number(await t.ok(['get', 'node', NODE, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']))).toBeGreaterThan(0);
    expect((await stat(join(agentDir, 'agent', 'pki', 'node.key'))).mode & 0o777).toBe(0o600);
    expect(agent.stderr()).toContain(`joined ${t.url} as system:node:${NODE}`);
  });

  it('runs a pod with an address from its podCIDR, reachable over the CNI bridge', async () => {
    await t.ok(['run', 'web', `--image=${BUSYBOX}`, '--image-pull-policy=IfNotPresent', '--restart=Never', '--', 'httpd', '-f', '-p', '8080', '-h', '/etc']);
    await pollUntil(async () => (await t.ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])) === 'Running', 'pod web Running', 150, 100)
      .catch(async (err) => {
        throw new Error(`${(err as Error).message}\n${await t.ok(['describe', 'pod', 'web'])}\n${agent!.stderr()}`);
      });
    const ip = await t.ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}']);
    const cidr = await t.ok(['get', 'node', NODE, '-o', 'jsonpath={.spec.podCIDR}']);
    expect(ip.split('.').slice(0, 3).join('.')).toBe(cidr.split('.').slice(0, 3).join('.'));
    expect(await t.ok(['get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName}'])).toBe(NODE);
    let body = '';
    await pollUntil(async () => {
      body = await fetch(`http://${ip}:8080/hostname`).then((r) => r.text(), () => '');
      return body !== '';
    }, 'HTTP from the pod');
    expect(body.trim()).toBe('web');
    // The API server reaches the joined node's kubelet API, whose serving certificate came with the join.
    expect((await t.ok(['exec', 'web', '--', 'cat', '/etc/hostname'])).trim()).toBe('web');
    await t.ok(['delete', 'pod', 'web', '--grace-period=1', '--wait=true']);
  });

  it('restarts with the stored credentials', async () => {
    await stopAgent(agent);
    agent = startAgent(agentArgs());
    await pollUntil(async () => agent!.stderr().includes(`node ${NODE} running`) || agent!.child.exitCode !== null, 'the agent to start again', 1200, 100);
    expect(agent.child.exitCode).toBeNull();
    expect(agent.stderr()).toContain(`rejoining ${t.url} as system:node:${NODE}`);
    expect(agent.stderr()).not.toContain('node credentials for');
    await pollUntil(async () => (await t.ok(['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 'Ready again');
  });
});
