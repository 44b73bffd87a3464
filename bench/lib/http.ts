/**
 * bench/lib/http: minimal HTTPS requests against the API server over a keep-alive agent.
 * The body is read in full (to the last byte) but not parsed unless asked.
 */

import { request, type Agent } from 'node:https';

export interface Response {
  status: number;
  body: Buffer;
}

export interface RequestOptions {
  method?: string;
  path: string;
  body?: string | Buffer;
  accept?: string;
  contentType?: string;
}

export function call(agent: Agent, port: number, o: RequestOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: o.accept ?? 'application/json' };
    const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
    if (body) {
      headers['Content-Type'] = o.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    const req = request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Like call(), but throws unless the status is one of `ok`. */
export async function mustCall(agent: Agent, port: number, o: RequestOptions, ok: number[] = [200, 201]): Promise<Response> {
  const r = await call(agent, port, o);
  if (!ok.includes(r.status)) {
    throw new Error(`${o.method ?? 'GET'} ${o.path}: HTTP ${r.status}: ${r.body.toString().slice(0, 500)}`);
  }
  return r;
}

export async function createNamespace(agent: Agent, port: number, name: string): Promise<void> {
  await mustCall(agent, port, {
    method: 'POST',
    path: '/api/v1/namespaces',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  });
}
