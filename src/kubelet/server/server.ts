/**
 * The kubelet's HTTPS API (upstream's port 10250 paths) in front of the container runtime:
 * /containerLogs/{ns}/{pod}/{container}, /exec/…, /attach/… and /portForward/{ns}/{pod}, plus /healthz.
 * Callers present a client certificate from the cluster CA; only the API server's kubelet client
 * (or a system:masters member) may use it. Exec and attach over websocket (v5/v4.channel.k8s.io) are
 * bridged to the runtime's SPDY streams; SPDY requests, and port-forward's SPDY-in-websocket tunnel,
 * are passed through byte for byte to the runtime's one-time streaming URL.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { streamContainerLog, type LogOptions } from '../logs/index.js';
import { RemoteCommand } from '../streaming/remote-command.js';
import { dialUpgrade, rawHeaderPairs, splice, switchingProtocolsHead, UpgradeRefused } from '../streaming/upgrade.js';
import {
  bridgeRemoteCommand, tunnelWebSocket, WS_PORT_FORWARD_TUNNEL, WS_REMOTE_COMMAND_V4, WS_REMOTE_COMMAND_V5,
} from '../streaming/ws-bridge.js';
import { criLookups, KubeletApiError, type PodLookups, type StreamingRuntime } from './cri-lookup.js';

/** The API server's identity towards kubelets (upstream's --kubelet-client-certificate user). */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';
const MASTERS = 'system:masters';
const TUNNEL_ALIAS = 'k8ts-spdy-portforward-tunnel';

export interface KubeletServerOptions {
  /** Address to listen on (the node IP). */
  host: string;
  /** Port (10250 upstream; 0 picks a free one). */
  port: number;
  /** Serving key and certificate (signed by the cluster CA) and the CA client certificates must chain to. */
  tls: { key: string; cert: string; ca: string };
  /** The CRI runtime service (CriClient.runtime). */
  runtime: StreamingRuntime;
  /** Pod lookups; by default found in the runtime by CRI labels (criLookups). */
  lookups?: Partial<PodLookups>;
  log?: (msg: string) => void;
}

export interface KubeletServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

interface Route {
  kind: 'containerLogs' | 'exec' | 'attach' | 'portForward';
  namespace: string;
  pod: string;
  container: string;
  query: URLSearchParams;
}

function parseRoute(rawUrl: string | undefined): Route | undefined {
  const url = new URL(rawUrl ?? '/', 'https://kubelet');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const kind = parts[0];
  if ((kind === 'containerLogs' || kind === 'exec' || kind === 'attach') && parts.length === 4) {
    return { kind, namespace: parts[1]!, pod: parts[2]!, container: parts[3]!, query: url.searchParams };
  }
  // Upstream also accepts the pod UID as a fourth segment of the streaming paths.
  if ((kind === 'exec' || kind === 'attach') && parts.length === 5) {
    return { kind, namespace: parts[1]!, pod: parts[2]!, container: parts[4]!, query: url.searchParams };
  }
  if (kind === 'portForward' && (parts.length === 3 || parts.length === 4)) {
    return { kind, namespace: parts[1]!, pod: parts[2]!, container: '', query: url.searchParams };
  }
  return undefined;
}

function statusBody(code: number, message: string): string {
  const reason = ({ 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 500: 'InternalError', 503: 'ServiceUnavailable' } as Record<number, string>)[code] ?? '';
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, ...(reason ? { reason } : {}), code });
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1' || v === 'True';
}

/** Who is calling, from the TLS client certificate; undefined without a verified one. */
function peerUser(socket: Duplex): { user: string; groups: string[] } | undefined {
  const tls = socket as TLSSocket;
  if (!tls.authorized) return undefined;
  const cert = tls.getPeerCertificate?.();
  if (!cert?.subject) return undefined;
  const cn = cert.subject.CN;
  const o = cert.subject.O;
  return { user: Array.isArray(cn) ? cn[0] ?? '' : cn ?? '', groups: Array.isArray(o) ? o : o ? [o] : [] };
}

function authError(socket: Duplex, route: Route): KubeletApiError | undefined {
  const who = peerUser(socket);
  if (!who) return new KubeletApiError(401, 'Unauthorized');
  if (who.user === KUBELET_CLIENT_USER || who.groups.includes(MASTERS)) return undefined;
  const sub = route.kind === 'containerLogs' ? 'log' : 'proxy';
  return new KubeletApiError(403, `Forbidden (user=${who.user}, verb=${route.kind === 'containerLogs' ? 'get' : 'create'}, resource=nodes, subresource=${sub})`);
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const fallback = criLookups(opts.runtime);
  const lookups: PodLookups = {
    findContainer: opts.lookups?.findContainer ?? fallback.findContainer,
    findSandbox: opts.lookups?.findSandbox ?? fallback.findSandbox,
  };
  const sockets = new Set<Duplex>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => {
      for (const p of [WS_REMOTE_COMMAND_V5, WS_REMOTE_COMMAND_V4, TUNNEL_ALIAS]) if (offered.has(p)) return p;
      return false;
    },
  });
  // `ws` only takes RFC 6455 tokens as subprotocols, and "SPDY/3.1+portforward.k8s.io" has a "/": the
  // request carries a token alias through the handshake and the answer names the real protocol.
  wss.on('headers', (headers) => {
    const i = headers.indexOf(`Sec-WebSocket-Protocol: ${TUNNEL_ALIAS}`);
    if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${WS_PORT_FORWARD_TUNNEL}`;
  });

  const server: Server = createServer({
    key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false,
  }, (req, res) => {
    void handleRequest(req, res).catch((err: unknown) => {
      const e = err instanceof KubeletApiError ? err : new KubeletApiError(500, err instanceof Error ? err.message : String(err));
      if (e.code >= 500) log(`kubelet server: ${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) {
        res.writeHead(e.code, { 'Content-Type': 'application/json' });
        res.end(statusBody(e.code, e.message));
      } else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void handleUpgrade(req, socket, head).catch((err: unknown) => {
      const e = err instanceof UpgradeRefused ? new KubeletApiError(errorCode(err.status), refusedMessage(err))
        : err instanceof KubeletApiError ? err : new KubeletApiError(500, err instanceof Error ? err.message : String(err));
      if (e.code >= 500) log(`kubelet server: upgrade ${req.url}: ${e.message}`);
      rejectUpgrade(socket, e);
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'https://kubelet').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const route = parseRoute(req.url);
    if (!route) throw new KubeletApiError(404, `the server could not find the requested resource`);
    const denied = authError(req.socket, route);
    if (denied) throw denied;
    if (route.kind !== 'containerLogs') throw new KubeletApiError(400, 'Upgrade request required');
    await serveLogs(route, req, res);
  }

  async function serveLogs(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const q = route.query;
    const previous = flag(q, 'previous');
    const ref = await lookups.findContainer(route.namespace, route.pod, route.container, previous);
    const o: LogOptions = { follow: flag(q, 'follow') && !previous, timestamps: flag(q, 'timestamps') };
    const num = (name: string): number | undefined => {
      const v = q.get(name);
      if (v === null || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n)) throw new KubeletApiError(400, `invalid ${name}: ${v}`);
      return n;
    };
    o.tailLines = num('tailLines');
    o.limitBytes = num('limitBytes');
    const since = num('sinceSeconds');
    if (since !== undefined) o.sinceMs = Date.now() - since * 1000;
    const sinceTime = q.get('sinceTime');
    if (sinceTime) {
      const t = Date.parse(sinceTime);
      if (Number.isNaN(t)) throw new KubeletApiError(400, `invalid sinceTime: ${sinceTime}`);
      o.sinceMs = t;
    }
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    req.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    let started = false;
    const sink = {
      write(chunk: Buffer): boolean {
        if (!started) {
          started = true;
          res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
        }
        return res.write(chunk);
      },
      once(event: 'drain', fn: () => void) {
        return res.once(event, fn);
      },
    };
    try {
      await streamContainerLog(ref.logPath, o, sink, {
        signal: ac.signal,
        running: async () => {
          if (!ref.containerId) return false;
          const st = await opts.runtime.containerStatus({ containerId: ref.containerId });
          return st.status?.state === 'CONTAINER_RUNNING';
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new KubeletApiError(400, `container "${route.container}" in pod "${route.pod}" has no log file yet`);
      }
      throw err;
    }
    if (!started) res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
    res.end();
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const route = parseRoute(req.url);
    if (!route || route.kind === 'containerLogs') throw new KubeletApiError(404, 'the server could not find the requested resource');
    const denied = authError(socket, route);
    if (denied) throw denied;
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const isWs = upgrade === 'websocket';
    const isSpdy = upgrade.startsWith('spdy/3.1');
    if (!isWs && !isSpdy) throw new KubeletApiError(400, `unsupported upgrade protocol ${req.headers.upgrade}`);

    // Ask the runtime for its one-time streaming URL.
    let url: string;
    let rc: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } | undefined;
    if (route.kind === 'portForward') {
      const sandboxId = await lookups.findSandbox(route.namespace, route.pod);
      const ports = route.query.getAll('port').map(Number).filter((p) => Number.isInteger(p) && p > 0);
      url = (await opts.runtime.portForward({ podSandboxId: sandboxId, port: ports })).url;
    } else {
      const q = route.query;
      const tty = flag(q, 'tty');
      rc = { stdin: flag(q, 'input') || flag(q, 'stdin'), stdout: flag(q, 'output') || flag(q, 'stdout'), stderr: (flag(q, 'error') || flag(q, 'stderr')) && !tty, tty };
      if (!rc.stdin && !rc.stdout && !rc.stderr) throw new KubeletApiError(400, 'you must specify at least 1 of stdin, stdout, stderr');
      const ref = await lookups.findContainer(route.namespace, route.pod, route.container, false).catch((err: unknown) => {
        if (err instanceof KubeletApiError) throw new KubeletApiError(404, `container not found ("${route.container}")`);
        throw err;
      });
      if (route.kind === 'exec') {
        const cmd = q.getAll('command');
        if (!cmd.length) throw new KubeletApiError(400, 'you must specify at least one command for the container');
        url = (await opts.runtime.exec({ containerId: ref.containerId, cmd, ...rc })).url;
      } else {
        url = (await opts.runtime.attach({ containerId: ref.containerId, ...rc })).url;
      }
    }
    url = new URL(url, 'http://127.0.0.1').toString();

    if (isSpdy) {
      // Pass-through: the client's SPDY session runs end to end with the runtime.
      const headers: Record<string, string | string[]> = { Connection: 'Upgrade', Upgrade: String(req.headers.upgrade) };
      const versions = req.headersDistinct['x-stream-protocol-version'];
      if (versions?.length) headers['X-Stream-Protocol-Version'] = versions;
      const up = await dialUpgrade(url, { method: req.method === 'GET' ? 'GET' : 'POST', headers });
      socket.write(switchingProtocolsHead(rawHeaderPairs(up.response)));
      if (up.head.length) socket.write(up.head);
      if (head.length) up.socket.write(head);
      await splice(socket, up.socket);
      return;
    }

    // Websocket: terminated here.
    const wanted = route.kind === 'portForward' ? [WS_PORT_FORWARD_TUNNEL] : [WS_REMOTE_COMMAND_V5, WS_REMOTE_COMMAND_V4];
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!wanted.some((p) => offered.includes(p))) {
      throw new KubeletApiError(400, `websocket protocol not supported; supported: ${wanted.join(', ')}`);
    }
    if (route.kind === 'portForward') {
      const up = await dialUpgrade(url, {
        method: 'POST',
        headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' },
      });
      req.headers['sec-websocket-protocol'] = TUNNEL_ALIAS;
      const ws = await accept(req, socket, head);
      if (up.head.length) ws.send(up.head);
      await tunnelWebSocket(ws, up.socket);
      return;
    }
    const command = await RemoteCommand.connect(url, rc!);
    const ws = await accept(req, socket, head);
    await bridgeRemoteCommand(ws, command);
  }

  function accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
    return new Promise((resolve) => wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port: addr.port,
    host: addr.address,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** The runtime's refusal as an HTTP error code of ours. */
function errorCode(status: number): number {
  return status >= 400 && status < 600 ? status : 500;
}

function refusedMessage(err: UpgradeRefused): string {
  try {
    const parsed = JSON.parse(err.body) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    // plain text
  }
  return err.body.trim() || `upgrade refused with HTTP ${err.status}`;
}

function rejectUpgrade(socket: Duplex, e: KubeletApiError): void {
  if (socket.destroyed) return;
  // As upstream's kubelet, streaming errors are plain text: kubectl shows them as
  // "unable to upgrade connection: <text>".
  const body = e.message;
  const text = ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' } as Record<number, string>)[e.code] ?? 'Error';
  socket.end(`HTTP/1.1 ${e.code} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
