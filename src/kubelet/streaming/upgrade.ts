/**
 * HTTP upgrade plumbing shared by the streaming paths: dialing an upgrade (to the runtime's one-time
 * streaming URL), writing a raw 101 head, and piping two upgraded sockets together.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

export interface UpgradeResult {
  /** The 101 response. */
  response: IncomingMessage;
  socket: Duplex;
  /** Bytes that arrived after the response head. */
  head: Buffer;
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number, readonly body: string, readonly contentType?: string) {
    super(`upgrade refused with HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** Sends an upgrade request and resolves with the upgraded socket, or rejects with UpgradeRefused. */
export function dialUpgrade(url: string, opts: { method?: string; headers: Record<string, string | string[]>; tls?: { ca?: string; cert?: string; key?: string } }): Promise<UpgradeResult> {
  const u = new URL(url);
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
    method: opts.method ?? 'GET',
    headers: opts.headers,
    ...(u.protocol === 'https:' ? { ca: opts.tls?.ca, cert: opts.tls?.cert, key: opts.tls?.key } : {}),
  });
  return new Promise((resolve, reject) => {
    req.on('upgrade', (response, socket, head) => resolve({ response, socket, head }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 500, Buffer.concat(chunks).toString(), res.headers['content-type'])));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The raw text of a 101 response head, with the given headers. */
export function switchingProtocolsHead(headers: IncomingHttpHeaders | Array<[string, string]>): string {
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  const pairs: Array<[string, string]> = Array.isArray(headers)
    ? headers
    : Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : v === undefined ? [] : [[k, String(v)] as [string, string]]));
  for (const [k, v] of pairs) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The header pairs of a response, in their original spelling. */
export function rawHeaderPairs(res: IncomingMessage): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
  return out;
}

/** Pipes two sockets both ways; either side closing ends the other. */
export function splice(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      a.destroy();
      b.destroy();
      resolve();
    };
    a.pipe(b);
    b.pipe(a);
    a.on('close', finish);
    b.on('close', finish);
    a.on('error', finish);
    b.on('error', finish);
  });
}
