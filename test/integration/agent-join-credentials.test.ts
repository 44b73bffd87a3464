/**
 * Joining a node: the server's join token, its CA and node-credentials endpoints, and the agent's
 * credential fetch — a wrong token is refused with 401, a right one yields a kubeconfig kubectl
 * uses as system:node:NAME.
 */
import { readFile, rm, mkdtemp, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgentCredentials } from '../../src/server/join/index.js';
import { runKubectl, startTestServer, type TestServer } from '../helpers/k8ts-server.js';

function post(url: string, ca: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    }).on('error', reject).end();
  });
}

describe('agent join credentials', () => {
  let t: TestServer;
  let token: string;
  let ca: string;
  let agentDir: string;
  beforeAll(async () => {
    t = await startTestServer({ apiOnly: true });
    token = (await readFile(t.server.joinTokenPath, 'utf8')).trim();
    ca = await readFile(join(t.dataDir, 'pki', 'ca.crt'), 'utf8');
    agentDir = await mkdtemp(join(tmpdir(), 'k8ts-agent-join-'));
  });
  afterAll(async () => {
    await t?.stop();
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
  });

  it('keeps a join token in D/server/token, readable only by its owner, naming the CA hash', async () => {
    expect(t.server.joinTokenPath).toBe(join(t.dataDir, 'server', 'token'));
    expect((await stat(t.server.joinTokenPath)).mode & 0o777).toBe(0o600);
    expect(token).toMatch(/^K8TS[0-9a-f]{64}::node:[0-9a-f]+$/);
  });

  it('serves the CA without credentials', async () => {
    const r = await get(`${t.url}/k8ts/v1/cacerts`, ca);
    expect(r.status).toBe(200);
    expect(r.body).toBe(ca);
  });

  it('refuses a wrong token secret with a 401 Status', async () => {
    const r = await post(`${t.url}/k8ts/v1/node-credentials`, ca, { Authorization: 'Bearer not-the-secret' }, JSON.stringify({ nodeName: 'evil', nodeIP: '127.0.0.1' }));
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const none = await post(`${t.url}/k8ts/v1/node-credentials`, ca, {}, '{}');
    expect(none.status).toBe(401);
    const badToken = token.replace(/:[0-9a-f]+$/, ':0123456789abcdef');
    await expect(ensureAgentCredentials({ server: t.url, token: badToken, dataDir: agentDir, nodeName: 'worker-x', nodeIP: '127.0.0.1' }))
      .rejects.toThrow(/refused the join token \(401 Unauthorized\)/);
  });

  it('refuses to trust a server whose CA does not match the token', async () => {
    const otherHash = token.replace(/^K8TS[0-9a-f]{64}/, `K8TS${'0'.repeat(64)}`);
    await expect(ensureAgentCredentials({ server: t.url, token: otherHash, dataDir: agentDir, nodeName: 'worker-x', nodeIP: '127.0.0.1' }))
      .rejects.toThrow(/does not match the join token/);
    await expect(ensureAgentCredentials({ server: t.url, token: 'garbage', dataDir: agentDir, nodeName: 'worker-x', nodeIP: '127.0.0.1' }))
      .rejects.toThrow(/invalid join token/);
  });

  it('rejects an invalid node name with 400', async () => {
    const secret = token.split(':').pop()!;
    const r = await post(`${t.url}/k8ts/v1/node-credentials`, ca, { Authorization: `Bearer ${secret}` }, JSON.stringify({ nodeName: 'Bad_Name', nodeIP: '127.0.0.1' }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toContain('invalid node name "Bad_Name"');
  });

  it('gives a right token credentials that kubectl uses as system:node:NAME, kept and reused on restart', async () => {
    const creds = await ensureAgentCredentials({ server: t.url, token, dataDir: agentDir, nodeName: 'worker-7', nodeIP: '127.0.0.1' });
    expect(creds.fetched).toBe(true);
    expect(creds.caPem).toBe(ca);
    const who = await runKubectl(['--kubeconfig', creds.kubeconfigPath, 'auth', 'whoami']);
    expect(who.stderr).toBe('');
    expect(who.stdout).toMatch(/Username\s+system:node:worker-7/);
    expect(who.stdout).toMatch(/Groups\s+\[system:nodes system:authenticated\]/);
    expect((await stat(join(agentDir, 'agent', 'pki', 'node.key'))).mode & 0o777).toBe(0o600);
    const again = await ensureAgentCredentials({ server: t.url, token, dataDir: agentDir, nodeName: 'worker-7', nodeIP: '127.0.0.1' });
    expect(again.fetched).toBe(false);
    expect(again.clientCertPem).toBe(creds.clientCertPem);
    // Another IP needs a new serving certificate.
    const moved = await ensureAgentCredentials({ server: t.url, token, dataDir: agentDir, nodeName: 'worker-7', nodeIP: '127.0.0.2' });
    expect(moved.fetched).toBe(true);
  });
});
