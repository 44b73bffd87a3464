/**
 * The agent side of joining: fetch the cluster CA from the server (without trusting it yet), check
 * its sha256 against the join token, then ask for node credentials with the token's secret over a
 * connection that trusts only that CA. The credentials are kept under D/agent/pki (keys 0600) with a
 * kubeconfig D/agent/kubeconfig.yaml, and reused on the next start while they still fit (same CA,
 * same node name, serving certificate for the node IP, not about to expire).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { request } from 'node:https';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeKubeconfig } from '../../pki/index.js';
import { writeFileAtomic } from '../../pki/files.js';
import { CACERTS_PATH, NODE_CREDENTIALS_PATH, type NodeCredentials } from './routes.js';
import { caHashOf, parseJoinToken } from './token.js';

const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface JoinOptions {
  /** https://HOST:PORT of the API server. */
  server: string;
  token: string;
  dataDir: string;
  nodeName: string;
  nodeIP: string;
  log?: (msg: string) => void;
}

export interface AgentCredentials extends NodeCredentials {
  /** D/agent/kubeconfig.yaml, acting as system:node:NAME. */
  kubeconfigPath: string;
  /** Whether they came from the server now (false: reused from disk). */
  fetched: boolean;
}

const FILES = {
  ca: 'ca.crt',
  clientCert: 'node.crt',
  clientKey: 'node.key',
  servingCert: 'kubelet.crt',
  servingKey: 'kubelet.key',
} as const;

interface HttpResult {
  status: number;
  body: string;
}

function httpsCall(url: URL, opts: { method: string; ca?: string; headers?: Record<string, string>; body?: string }): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: opts.method,
      headers: { ...(opts.headers ?? {}), ...(opts.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(opts.body)) } : {}) },
      // Before the CA is known to match the token it is not trusted; afterwards only it is.
      ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
      timeout: 30_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within 30 s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

function statusMessage(r: HttpResult): string {
  try {
    const s = JSON.parse(r.body) as { message?: string };
    if (s.message) return s.message;
  } catch { /* not a Status */ }
  return r.body.slice(0, 200) || `HTTP ${r.status}`;
}

/** Fetches the CA from `server` and checks it against the token's hash; returns the PEM. */
export async function fetchVerifiedCa(server: string, token: string): Promise<string> {
  const t = parseJoinToken(token);
  const r = await httpsCall(new URL(CACERTS_PATH, server), { method: 'GET' });
  if (r.status !== 200) throw new Error(`GET ${CACERTS_PATH} from ${server}: ${statusMessage(r)}`);
  const hash = caHashOf(r.body);
  if (hash !== t.caHash) {
    throw new Error(`the CA certificate served by ${server} (sha256 ${hash}) does not match the join token (${t.caHash}); is this the right server and token?`);
  }
  return r.body;
}

/** Asks the server for credentials for this node (after the CA was verified). */
export async function requestNodeCredentials(server: string, token: string, caPem: string, nodeName: string, nodeIP: string): Promise<NodeCredentials> {
  const t = parseJoinToken(token);
  const r = await httpsCall(new URL(NODE_CREDENTIALS_PATH, server), {
    method: 'POST', ca: caPem, headers: { Authorization: `Bearer ${t.secret}` }, body: JSON.stringify({ nodeName, nodeIP }),
  });
  if (r.status === 401) throw new Error(`the server at ${server} refused the join token (401 Unauthorized)`);
  if (r.status !== 200) throw new Error(`POST ${NODE_CREDENTIALS_PATH} to ${server}: ${statusMessage(r)}`);
  return JSON.parse(r.body) as NodeCredentials;
}

async function readStored(dir: string): Promise<NodeCredentials | undefined> {
  try {
    const [caPem, clientCertPem, clientKeyPem, servingCertPem, servingKeyPem] = await Promise.all(
      [FILES.ca, FILES.clientCert, FILES.clientKey, FILES.servingCert, FILES.servingKey].map((f) => readFile(join(dir, f), 'utf8')),
    );
    return { caPem: caPem!, clientCertPem: clientCertPem!, clientKeyPem: clientKeyPem!, servingCertPem: servingCertPem!, servingKeyPem: servingKeyPem! };
  } catch {
    return undefined;
  }
}

/** Whether stored credentials still fit this join: same CA as the token, this node's identity and IP, valid for a while. */
export function credentialsFit(c: NodeCredentials, caHash: string, nodeName: string, nodeIP: string): boolean {
  try {
    if (caHashOf(c.caPem) !== caHash) return false;
    const ca = new X509Certificate(c.caPem);
    const client = new X509Certificate(c.clientCertPem);
    const serving = new X509Certificate(c.servingCertPem);
    for (const [cert, key] of [[client, c.clientKeyPem], [serving, c.servingKeyPem]] as const) {
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
      if (!cert.checkPrivateKey(createPrivateKey(key))) return false;
      if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    }
    if (!client.subject.split('\n').includes(`CN=system:node:${nodeName}`)) return false;
    if (serving.checkIP(nodeIP) === undefined) return false;
    return true;
  } catch {
    return false;
  }
}

/** Credentials for this node: reused from D/agent/pki when they fit, otherwise fetched with the join token and stored. */
export async function ensureAgentCredentials(o: JoinOptions): Promise<AgentCredentials> {
  const t = parseJoinToken(o.token);
  const agentDir = join(o.dataDir, 'agent');
  const dir = join(agentDir, 'pki');
  const kubeconfigPath = join(agentDir, 'kubeconfig.yaml');
  const stored = await readStored(dir);
  let creds: NodeCredentials;
  let fetched = false;
  if (stored && credentialsFit(stored, t.caHash, o.nodeName, o.nodeIP)) {
    creds = stored;
  } else {
    const caPem = await fetchVerifiedCa(o.server, o.token);
    creds = await requestNodeCredentials(o.server, o.token, caPem, o.nodeName, o.nodeIP);
    if (!credentialsFit(creds, t.caHash, o.nodeName, o.nodeIP)) throw new Error(`the server at ${o.server} returned credentials that do not fit node ${o.nodeName} (${o.nodeIP})`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, FILES.clientKey), creds.clientKeyPem, 0o600);
    await writeFileAtomic(join(dir, FILES.servingKey), creds.servingKeyPem, 0o600);
    await writeFileAtomic(join(dir, FILES.clientCert), creds.clientCertPem, 0o644);
    await writeFileAtomic(join(dir, FILES.servingCert), creds.servingCertPem, 0o644);
    await writeFileAtomic(join(dir, FILES.ca), creds.caPem, 0o644);
    fetched = true;
    o.log?.(`k8ts agent: node credentials for ${o.nodeName} stored in ${dir}`);
  }
  await writeKubeconfig(kubeconfigPath, {
    server: o.server, caPem: creds.caPem, certPem: creds.clientCertPem, keyPem: creds.clientKeyPem, user: `system:node:${o.nodeName}`,
  });
  return { ...creds, kubeconfigPath, fetched };
}
