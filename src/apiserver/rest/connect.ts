/**
 * The streaming subresources of pods — log, exec, attach, portforward — proxied to the kubelet API of
 * the pod's node, as upstream's API server does: the pod is looked up (container defaulting and
 * validation happen here), the node's InternalIP and status.daemonEndpoints.kubeletEndpoint.Port name
 * the kubelet, which is dialled over HTTPS with the API server's kubelet client certificate, trusting
 * the cluster CA. Logs are a plain streamed GET; exec/attach/portforward are HTTP upgrades whose bytes
 * are piped both ways without interpretation (websocket or SPDY alike, headers and query kept).
 *
 * Upgrade requests reach the API server's normal pipeline (authentication, authorization) with a
 * response object writing to the raw socket (`upgradeResponse`), so errors before the upgrade are
 * ordinary Status replies.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { badRequest, serviceUnavailable, StatusError } from '../status.js';
import type { KObject } from './codec.js';
import type { HandlerDeps } from './handlers.js';
import type { Call } from './request.js';

/** The API server's client credential towards kubelets, and the CA their serving certificates chain to. */
export interface KubeletClientConfig {
  ca: string;
  cert: string;
  key: string;
}

const kubeletClients = new WeakMap<object, KubeletClientConfig>();

/** Gives one API server's handlers (its HandlerDeps) the credential to reach kubelets. */
export function registerKubeletClient(deps: object, cfg: KubeletClientConfig): void {
  kubeletClients.set(deps, cfg);
}

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  res: ServerResponse;
}

const upgrades = new WeakMap<IncomingMessage, PendingUpgrade>();

/**
 * A response object for an HTTP upgrade request, writing to its raw socket, so the request can go
 * through the normal handler pipeline; the connect handler takes the socket over to proxy the upgrade.
 */
export function upgradeResponse(req: IncomingMessage, socket: Duplex, head: Buffer): ServerResponse {
  const res = new ServerResponse(req);
  res.assignSocket(socket as Socket);
  res.shouldKeepAlive = false;
  res.on('finish', () => socket.end());
  socket.on('error', () => undefined);
  upgrades.set(req, { socket, head, res });
  return res;
}

const LOG_PARAMS = ['follow', 'previous', 'sinceSeconds', 'sinceTime', 'timestamps', 'tailLines', 'limitBytes'];
const STREAM_PARAMS = ['stdin', 'stdout', 'stderr', 'tty', 'command'];
const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

function names(list: Array<{ name: string }> | undefined): string[] {
  return (list ?? []).map((c) => c.name);
}

/** The container a request is about, defaulted and validated as upstream (BadRequest otherwise). */
export function resolveContainer(pod: KObject, requested: string): string {
  const spec = pod.spec ?? {};
  const name = pod.metadata.name;
  if (requested) {
    const all = [...names(spec.containers), ...names(spec.initContainers), ...names(spec.ephemeralContainers)];
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = names(spec.containers);
  const preferred = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (preferred && containers.includes(preferred)) return preferred;
  if (containers.length === 1) return containers[0]!;
  if (containers.length === 0) throw badRequest(`the pod ${name} has no containers`);
  let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
  const init = names(spec.initContainers);
  if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
  throw badRequest(msg);
}

/**
 * What the kubelet would answer from the pod's status before reading any log (upstream's container
 * log status validation): a container still waiting, or no terminated instance for --previous.
 */
export function checkLogStatus(pod: KObject, container: string, previous: boolean): void {
  const name = pod.metadata.name;
  const st = pod.status ?? {};
  const all: any[] = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? []), ...(st.ephemeralContainerStatuses ?? [])];
  const cs = all.find((c) => c?.name === container);
  if (!cs) return; // no status yet: the kubelet decides
  const last = cs.lastState?.terminated;
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return;
  }
  if (cs.state?.running || cs.state?.terminated?.containerID || last?.containerID) return;
  if (cs.state?.terminated) throw badRequest(`container "${container}" in pod "${name}" is terminated`);
  const reason = cs.state?.waiting?.reason;
  if (reason === 'ErrImagePull') throw badRequest(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
  if (reason === 'ImagePullBackOff') throw badRequest(`container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`);
  if (reason) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
}

function kubeletAddress(node: KObject | undefined): { host: string; port: number } | undefined {
  if (!node) return undefined;
  const addrs: Array<{ type: string; address: string }> = node.status?.addresses ?? [];
  const host = (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'Hostname'))?.address;
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
  if (!host || !port) return undefined;
  return { host, port };
}

/** pods/{name}/{log,exec,attach,portforward} (and 503 for what has no backend: proxy, other kinds). */
export async function connect(d: HandlerDeps, call: Call): Promise<void> {
  const r = call.storage;
  const sub = call.info.subresource;
  const ns = call.info.namespace;
  const name = call.info.name;
  const pod = await d.objects.get(r, ns, name);
  if (r.plural !== 'pods' || sub === 'proxy') {
    const where = r.plural === 'pods' ? `node "${pod.spec?.nodeName ?? ''}"` : `${r.plural} "${name}"`;
    throw serviceUnavailable(`no node agent is connected for ${where}: ${sub} is not served by k8ts yet`);
  }
  const q = call.query;
  const container = sub === 'portforward' ? '' : resolveContainer(pod, q.get('container') ?? '');
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) {
    if (sub === 'log') {
      // Upstream answers an empty log for a pod not yet on a node.
      call.res.writeHead(200, { 'Content-Type': 'text/plain' });
      call.res.end();
      return;
    }
    throw badRequest(`pod ${name} does not have a host assigned`);
  }
  if (sub === 'log') checkLogStatus(pod, container, q.get('previous') === 'true');
  const client = kubeletClients.get(d);
  const where = kubeletAddress(await d.objects.lookup('', 'nodes', '', nodeName));
  if (!client || !where) throw serviceUnavailable(`no kubelet endpoint is known for node "${nodeName}"`);

  const params = new URLSearchParams();
  for (const key of sub === 'log' ? LOG_PARAMS : sub === 'portforward' ? ['port'] : STREAM_PARAMS) {
    for (const v of q.getAll(key)) params.append(key, v);
  }
  const enc = encodeURIComponent;
  const base = sub === 'log' ? `/containerLogs/${enc(ns)}/${enc(name)}/${enc(container)}`
    : sub === 'portforward' ? `/portForward/${enc(ns)}/${enc(name)}`
      : `/${sub}/${enc(ns)}/${enc(name)}/${enc(container)}`;
  const path = params.size ? `${base}?${params}` : base;
  if (sub === 'log') return proxyLogs(d, call, where, client, path);
  return proxyUpgrade(d, call, where, client, path);
}

function dial(where: { host: string; port: number }, client: KubeletClientConfig, path: string, method: string, headers: Record<string, string | string[]>) {
  return httpsRequest({
    host: where.host, port: where.port, path, method, headers,
    ca: client.ca, cert: client.cert, key: client.key,
    // Trust is the cluster CA; the serving certificate's names are not checked (as upstream by default).
    checkServerIdentity: () => undefined,
  });
}

function backendError(where: { host: string; port: number }, err: Error): StatusError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ECONNREFUSED' ? 'connect: connection refused' : code === 'EHOSTUNREACH' ? 'connect: no route to host' : err.message;
  return new StatusError(500, 'InternalError', `error dialing backend: dial tcp ${where.host}:${where.port}: ${why}`);
}

function proxyLogs(d: HandlerDeps, call: Call, where: { host: string; port: number }, client: KubeletClientConfig, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const kreq = dial(where, client, path, 'GET', { Accept: '*/*' });
    const untrack = d.trackStream(() => kreq.destroy());
    call.res.on('close', () => kreq.destroy());
    kreq.on('response', (kres) => {
      const headers: Record<string, string> = { 'Content-Type': String(kres.headers['content-type'] ?? 'text/plain') };
      call.res.writeHead(kres.statusCode ?? 500, headers);
      kres.pipe(call.res);
      const done = (): void => {
        untrack();
        resolve();
      };
      kres.on('end', done);
      kres.on('error', () => {
        call.res.destroy();
        done();
      });
      kres.on('close', done);
    });
    kreq.on('error', (err) => {
      untrack();
      if (call.res.headersSent) {
        call.res.destroy();
        resolve();
      } else reject(backendError(where, err));
    });
    kreq.end();
  });
}

/** Hop-by-hop and upgrade headers passed to the kubelet. */
const UPGRADE_HEADERS = [
  'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol',
  'x-stream-protocol-version', 'user-agent',
];

function proxyUpgrade(d: HandlerDeps, call: Call, where: { host: string; port: number }, client: KubeletClientConfig, path: string): Promise<void> {
  const up = upgrades.get(call.req);
  if (!up || !call.req.headers.upgrade) throw badRequest('Upgrade request required');
  const headers: Record<string, string | string[]> = {};
  for (const h of UPGRADE_HEADERS) {
    const v = call.req.headersDistinct[h];
    if (v?.length) headers[h] = v.length === 1 ? v[0]! : v;
  }
  return new Promise((resolve, reject) => {
    const kreq = dial(where, client, path, call.req.method ?? 'GET', headers);
    kreq.on('upgrade', (kres, ksock, khead) => {
      up.res.detachSocket(up.socket as Socket);
      const lines = ['HTTP/1.1 101 Switching Protocols'];
      for (let i = 0; i + 1 < kres.rawHeaders.length; i += 2) lines.push(`${kres.rawHeaders[i]}: ${kres.rawHeaders[i + 1]}`);
      up.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (khead.length) up.socket.write(khead);
      if (up.head.length) ksock.write(up.head);
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        untrack();
        up.socket.destroy();
        ksock.destroy();
        resolve();
      };
      const untrack = d.trackStream(finish);
      up.socket.pipe(ksock);
      ksock.pipe(up.socket);
      for (const s of [up.socket, ksock]) {
        s.on('close', finish);
        s.on('error', finish);
      }
    });
    kreq.on('response', (kres) => {
      // The kubelet refused the upgrade: its answer (a Status) goes back as is.
      call.res.writeHead(kres.statusCode ?? 500, { 'Content-Type': String(kres.headers['content-type'] ?? 'application/json') });
      kres.pipe(call.res);
      kres.on('end', () => resolve());
      kres.on('error', () => resolve());
    });
    kreq.on('error', (err) => reject(backendError(where, err)));
    kreq.end();
  });
}
