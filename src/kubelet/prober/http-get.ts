/**
 * HTTP GET for probes and lifecycle hooks, with upstream kubelet's semantics: the URL from an
 * HTTPGetAction (host defaults to the pod IP, scheme http or https without certificate checks,
 * named ports), the User-Agent `kube-probe/1.32` (or `kube-lifecycle/1.32`) and `Accept: *\/*` unless
 * set, a Host header honoured, redirects followed only while they stay on the same host (at most
 * 10), the body read up to 10 KiB, one deadline for the whole exchange, and failures worded as Go's
 * http client words them (`Get "http://10.0.0.5:80/": dial tcp 10.0.0.5:80: connect: connection refused`).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';
import { dialErrorText, isConnectError, transportErrorText } from './go-errors.js';
import { joinHostPort, resolveContainerPort } from './port.js';
import { KUBE_VERSION, MAX_OUTPUT_BYTES, type ProbeOutcome } from './types.js';

export interface HttpGetRequest {
  /** The URL as Go prints it in errors (no trailing slash when the path is empty). */
  url: string;
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Request target: path plus query, "/" when empty. */
  target: string;
  /** Header name (canonical form) → values. */
  headers: Map<string, string[]>;
}

export interface HttpGetResponse {
  status: number;
  body: string;
  /** The URL that answered (after redirects). */
  url: string;
}

/** A failed exchange; `message` is Go's url.Error text: Get "URL": reason. */
export class HttpGetError extends Error {
  constructor(readonly url: string, readonly reason: string, readonly plainHttpAnswer = false) {
    super(`Get ${JSON.stringify(url)}: ${reason}`);
    this.name = 'HttpGetError';
  }
}

const canonical = (name: string): string =>
  name.split('-').map((w) => (w ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w)).join('-');

/** Upstream's NewRequestForHTTPGetAction. Throws when the port cannot be resolved. */
export function requestForHttpGet(
  action: HTTPGetAction, container: Pick<Container, 'ports'>, podIP: string | undefined,
  purpose: 'probe' | 'lifecycle', version = KUBE_VERSION,
): HttpGetRequest {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
  const host = action.host || podIP || '';
  const port = resolveContainerPort(action.port, container);
  const rawPath = action.path ?? '';
  const path = rawPath === '' ? '' : rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const headers = new Map<string, string[]>();
  for (const h of action.httpHeaders ?? []) {
    const k = canonical(h.name);
    headers.set(k, [...(headers.get(k) ?? []), h.value]);
  }
  if (!headers.has('User-Agent')) headers.set('User-Agent', [`kube-${purpose}/${version}`]);
  if (!headers.has('Accept')) headers.set('Accept', ['*/*']);
  else if ((headers.get('Accept')![0] ?? '') === '') headers.delete('Accept');
  const hostPort = joinHostPort(host, port);
  return { url: `${scheme}://${hostPort}${path}`, scheme, host, port, target: path || '/', headers };
}

interface Hop { url: URL; hostHeader?: string }

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/**
 * Performs the GET. Resolves with any HTTP answer (the caller judges the status); rejects with
 * HttpGetError for transport failures, the deadline (`timeoutMs`, 0 = none) or an abort.
 */
export async function httpGet(
  req: HttpGetRequest, opts: { timeoutMs?: number; signal?: AbortSignal; followNonLocalRedirects?: boolean } = {},
): Promise<HttpGetResponse> {
  const deadline = opts.timeoutMs ? Date.now() + opts.timeoutMs : 0;
  const first = new URL(`${req.url}${req.target === '/' && !req.url.endsWith('/') ? '/' : ''}`);
  let hop: Hop = { url: first, hostHeader: req.headers.get('Host')?.[0] };
  let shownUrl = req.url;
  for (let via = 0; ; via++) {
    const res = await getOnce(hop, shownUrl, req.headers, deadline, opts.signal);
    const location = res.location;
    if (!REDIRECTS.has(res.status) || location === undefined) return { status: res.status, body: res.body, url: shownUrl };
    let next: URL;
    try {
      next = new URL(location, hop.url);
    } catch {
      throw new HttpGetError(shownUrl, `failed to parse Location header ${JSON.stringify(location)}`);
    }
    if (!opts.followNonLocalRedirects && next.hostname !== first.hostname) {
      return { status: res.status, body: res.body, url: shownUrl };
    }
    shownUrl = next.toString();
    if (via + 1 >= MAX_REDIRECTS) throw new HttpGetError(shownUrl, `stopped after ${MAX_REDIRECTS} redirects`);
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('//');
    hop = { url: next, hostHeader: relative ? hop.hostHeader : undefined };
  }
}

function getOnce(
  hop: Hop, shownUrl: string, headers: Map<string, string[]>, deadline: number, signal?: AbortSignal,
): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const u = hop.url;
    const isHttps = u.protocol === 'https:';
    const hostname = u.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(u.port || (isHttps ? 443 : 80));
    const addr = hostname.includes(':') ? `[${hostname}]:${port}` : `${hostname}:${port}`;
    const outHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of headers) if (k !== 'Host') outHeaders[k] = v.length === 1 ? v[0]! : v;
    outHeaders.Host = hop.hostHeader || u.host;
    outHeaders.Connection = 'close';
    let phase: 'connect' | 'headers' | 'body' = 'connect';
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (reason: string, plainHttp = false): void =>
      finish(() => { request.destroy(); reject(new HttpGetError(shownUrl, reason, plainHttp)); });
    const onAbort = (): void => fail('context canceled');
    const options: https.RequestOptions = {
      host: hostname, port, path: `${u.pathname}${u.search}`, method: 'GET', headers: outHeaders, agent: false,
      // Go's client takes header lines ending in a bare LF (busybox httpd's CGI answers so); Node's strict parser does not.
      insecureHTTPParser: true,
      ...(isHttps ? { rejectUnauthorized: false } : {}),
    };
    const request = (isHttps ? https : http).request(options, (res) => {
      phase = 'body';
      const chunks: Buffer[] = [];
      let size = 0;
      const complete = (): void => finish(() => {
        request.destroy();
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).subarray(0, MAX_OUTPUT_BYTES).toString('utf8'),
          location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
        });
      });
      res.on('data', (c: Buffer) => {
        if (size < MAX_OUTPUT_BYTES) chunks.push(c);
        size += c.length;
        if (size >= MAX_OUTPUT_BYTES) complete();
      });
      res.on('end', complete);
      res.on('error', (err) => fail(transportErrorText(err)));
      res.on('aborted', complete);
    });
    request.on('socket', (sock) => {
      sock.once(isHttps ? 'secureConnect' : 'connect', () => { if (phase === 'connect') phase = 'headers'; });
    });
    request.on('error', (err) => {
      if (phase === 'connect' && isConnectError(err)) fail(dialErrorText(err, addr, hostname));
      else {
        const text = transportErrorText(err);
        fail(text, text.includes('gave HTTP response to HTTPS client'));
      }
    });
    if (deadline) {
      timer = setTimeout(() => fail(phase === 'body'
        ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)'
        : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'), Math.max(0, deadline - Date.now()));
    }
    if (signal) {
      if (signal.aborted) { onAbort(); return; }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    request.end();
  });
}

/** An HTTP probe: 200–399 succeeds (3xx: a redirect not followed → warning), anything else fails. */
export async function httpProbe(req: HttpGetRequest, timeoutMs: number, signal?: AbortSignal): Promise<ProbeOutcome> {
  let res: HttpGetResponse;
  try {
    res = await httpGet(req, { timeoutMs, signal });
  } catch (err) {
    return { result: 'failure', output: (err as Error).message };
  }
  if (res.status >= 200 && res.status < 400) {
    if (res.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` };
    return { result: 'success', output: res.body };
  }
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
}
