/**
 * The API server's join endpoints (outside the Kubernetes API, no Kubernetes authentication):
 *  - GET /k8ts/v1/cacerts: the cluster CA certificate (PEM), which an agent checks against the hash
 *    in its join token;
 *  - POST /k8ts/v1/node-credentials with `Authorization: Bearer <token secret>` and
 *    {nodeName, nodeIP}: a client certificate for system:node:NAME (group system:nodes) and a
 *    kubelet serving certificate for the node's IP and name, both signed by the cluster CA.
 * A wrong or missing secret is a 401 Status, as the API answers unauthenticated requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { issueClientCert, issueServingCert, type Pki } from '../../pki/index.js';
import { secretMatches } from './token.js';

export const CACERTS_PATH = '/k8ts/v1/cacerts';
export const NODE_CREDENTIALS_PATH = '/k8ts/v1/node-credentials';
const MAX_BODY = 64 * 1024;

export interface NodeCredentials {
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  servingCertPem: string;
  servingKeyPem: string;
}

/** A route outside the Kubernetes API: handles the request and returns true, or returns false to pass it on. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function joinRoutes(opts: { pki: Pick<Pki, 'caCertPem' | 'caKeyPem'>; secret: () => string; log?: (msg: string) => void }): ExtraRoute {
  const log = opts.log ?? (() => {});
  return async (req, res, path) => {
    if (path === CACERTS_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        status(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        return true;
      }
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file', 'Content-Length': Buffer.byteLength(opts.pki.caCertPem) });
      res.end(req.method === 'HEAD' ? undefined : opts.pki.caCertPem);
      return true;
    }
    if (path !== NODE_CREDENTIALS_PATH) return false;
    if (req.method !== 'POST') {
      status(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return true;
    }
    const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!auth || !secretMatches(auth[1]!.trim(), opts.secret())) {
      req.resume();
      status(res, 401, 'Unauthorized', 'Unauthorized');
      return true;
    }
    const text = await readBody(req);
    if (text === undefined) {
      status(res, 413, 'RequestEntityTooLarge', 'Request entity too large');
      return true;
    }
    let body: { nodeName?: unknown; nodeIP?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      status(res, 400, 'BadRequest', 'the request body is not JSON: expected {"nodeName": NAME, "nodeIP": IP}');
      return true;
    }
    const nodeName = typeof body?.nodeName === 'string' ? body.nodeName : '';
    const nodeIP = typeof body?.nodeIP === 'string' ? body.nodeIP : '';
    if (!nodeName || nodeName.length > 253 || !DNS_SUBDOMAIN.test(nodeName)) {
      status(res, 400, 'BadRequest', `invalid node name "${nodeName}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
      return true;
    }
    if (isIP(nodeIP) === 0) {
      status(res, 400, 'BadRequest', `invalid node IP "${nodeIP}": must be a valid IP address`);
      return true;
    }
    const client = await issueClientCert(opts.pki, { user: `system:node:${nodeName}`, groups: ['system:nodes'] });
    const serving = await issueServingCert(opts.pki, { commonName: nodeName, hosts: [nodeIP, nodeName] });
    const creds: NodeCredentials = {
      caPem: opts.pki.caCertPem,
      clientCertPem: client.certPem,
      clientKeyPem: client.keyPem,
      servingCertPem: serving.certPem,
      servingKeyPem: serving.keyPem,
    };
    log(`k8ts: issued node credentials for ${nodeName} (${nodeIP}) to ${req.socket.remoteAddress ?? 'unknown'}`);
    const out = JSON.stringify(creds);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) });
    res.end(out);
    return true;
  };
}
