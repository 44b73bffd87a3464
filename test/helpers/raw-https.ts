/**
 * test/helpers/raw-https: plain HTTPS requests to a k8ts server with the admin client certificate
 * from its data dir (pki/ca.crt, pki/admin.crt, pki/admin.key), and newline-delimited watch streams.
 */
import { readFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  body: any;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | number>;
  /** A body sent with Content-Length; a string array is sent chunked, one write per element. */
  body?: string | Buffer | (string | Buffer)[];
  /** Send without the admin client certificate. */
  anonymous?: boolean;
}

export interface RawClient {
  ca: Buffer;
  request(path: string, opts?: RawRequest): Promise<RawResponse>;
  get(path: string): Promise<RawResponse>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<RawResponse>;
  /** Opens a watch; events arrive as parsed objects. */
  watch(path: string): Promise<WatchStream>;
  close(): void;
}

export interface WatchStream {
  status: number;
  events: any[];
  /** Resolves once at least n events arrived (rejects if the stream ends first). */
  waitFor(n: number): Promise<any[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  /** The server ended the response properly (the last chunk arrived), not by dropping the connection. */
  endedCleanly(): boolean;
  close(): void;
}

export function rawClient(url: string, dataDir: string): RawClient {
  const pki = join(dataDir, 'pki');
  const ca = readFileSync(join(pki, 'ca.crt'));
  const cert = readFileSync(join(pki, 'admin.crt'));
  const key = readFileSync(join(pki, 'admin.key'));
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256, ca, cert, key });
  const anonAgent = new Agent({ keepAlive: false, ca });
  const base = (opts: RawRequest): RequestOptions => ({
    host: u.hostname, port: Number(u.port), method: opts.method ?? 'GET',
    agent: opts.anonymous ? anonAgent : agent, headers: opts.headers,
  });

  const send = (path: string, opts: RawRequest = {}): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const req = request({ ...base(opts), path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      // Node sends no Content-Length for a DELETE body unless told: the server would read the
      // body as the next request.
      if (opts.body !== undefined && !Array.isArray(opts.body) && !req.hasHeader('content-length')) {
        req.setHeader('Content-Length', Buffer.byteLength(opts.body));
      }
      if (Array.isArray(opts.body)) {
        for (const part of opts.body) req.write(part);
        req.end();
      } else req.end(opts.body);
    });

  const watch = (path: string): Promise<WatchStream> =>
    new Promise((resolve, reject) => {
      const req = request({ ...base({}), path }, (res: IncomingMessage) => {
        const events: any[] = [];
        let buf = '';
        let ended = false;
        let complete = false;
        let waiters: { n: number; resolve: (e: any[]) => void; reject: (e: Error) => void }[] = [];
        const check = (): void => {
          const ready = waiters.filter((w) => events.length >= w.n);
          waiters = waiters.filter((w) => events.length < w.n);
          for (const w of ready) w.resolve(events.slice());
          if (ended) {
            for (const w of waiters) w.reject(new Error(`watch ended after ${events.length} events: ${JSON.stringify(events)}`));
            waiters = [];
          }
        };
        let endResolve!: () => void;
        const endedP = new Promise<void>((r) => (endResolve = r));
        const finish = (): void => {
          if (ended) return;
          ended = true;
          endResolve();
          check();
        };
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) events.push(JSON.parse(line));
          }
          check();
        });
        res.on('end', () => {
          complete = res.complete;
          finish();
        });
        res.on('close', finish);
        res.on('error', finish);
        if ((res.statusCode ?? 0) >= 300) {
          // A failed watch answers with a Status body, not a stream.
          res.on('end', () => {
            if (buf.trim()) events.push(JSON.parse(buf));
          });
        }
        resolve({
          status: res.statusCode ?? 0,
          events,
          ended: endedP,
          isEnded: () => ended,
          endedCleanly: () => complete,
          waitFor: (n) => new Promise((res2, rej) => {
            waiters.push({ n, resolve: res2, reject: rej });
            check();
          }),
          close: () => {
            req.destroy();
          },
        });
      });
      req.on('error', reject);
      req.end();
    });

  return {
    ca,
    request: send,
    get: (path) => send(path),
    post: (path, body, headers = {}) => send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    watch,
    close: () => {
      agent.destroy();
      anonAgent.destroy();
    },
  };
}
