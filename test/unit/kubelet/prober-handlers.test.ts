/**
 * Probe handlers against real servers on 127.0.0.1: HTTP (status codes, redirects, headers,
 * timeouts, HTTPS without verification), TCP, and gRPC health (a server started here with
 * @grpc/grpc-js), checking results and the upstream wording users see in events.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  healthServiceDefinition, runProbe, runProbeHandler, tcpProbe, type ServingStatus,
} from '../../../src/kubelet/prober/index.js';
import { createCa, issueLeaf } from '../../../src/pki/certs.js';

interface Seen { path: string; headers: http.IncomingHttpHeaders }

function handler(seen: Seen[]) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: url.pathname + url.search, headers: req.headers });
    const m = /^\/status\/(\d+)$/.exec(url.pathname);
    if (m) { res.writeHead(Number(m[1])); res.end(`body of ${m[1]}`); return; }
    switch (url.pathname) {
      case '/redirect-local': res.writeHead(302, { Location: '/status/200' }); res.end('moving'); return;
      case '/redirect-abs': res.writeHead(301, { Location: `http://127.0.0.1:${(req.socket.localPort)}/status/204` }); res.end(); return;
      case '/redirect-other-host': res.writeHead(302, { Location: 'http://other.invalid/elsewhere' }); res.end('went elsewhere'); return;
      case '/loop': res.writeHead(302, { Location: '/loop' }); res.end(); return;
      case '/hang': return; // never answers
      case '/big': res.writeHead(200); res.end('x'.repeat(50 * 1024)); return;
      default: res.writeHead(200); res.end('ok');
    }
  };
}

const container = (ports: Container['ports'] = [], env?: Container['env']): Container => ({ name: 'app', image: 'img', ports, env });

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

describe('httpGet probes', () => {
  const seen: Seen[] = [];
  const server = http.createServer(handler(seen));
  let port = 0;
  let tlsPort = 0;
  let tlsServer: https.Server;
  beforeAll(async () => {
    port = await listen(server);
    const ca = await createCa('test-ca', 1);
    const leaf = await issueLeaf(ca, { commonName: 'pod', days: 1, usage: 'server', ipAddresses: ['127.0.0.1'] });
    tlsServer = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, handler(seen));
    tlsPort = await listen(tlsServer);
  });
  afterAll(async () => {
    server.closeAllConnections();
    tlsServer.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => tlsServer.close(r));
  });

  const probe = (path: string, extra: Partial<NonNullable<Probe['httpGet']>> = {}, timeoutSeconds = 1): Probe =>
    ({ httpGet: { path, port, ...extra }, timeoutSeconds });
  const target = (c = container()) => ({ container: c, containerId: 'cid', podIP: '127.0.0.1' });

  it.each([
    ['/status/200', 'success', 'body of 200'],
    ['/status/204', 'success', ''],
    ['/status/399', 'warning', 'Probe terminated redirects, Response body: body of 399'],
    ['/status/400', 'failure', 'HTTP probe failed with statuscode: 400'],
    ['/status/500', 'failure', 'HTTP probe failed with statuscode: 500'],
    ['/status/503', 'failure', 'HTTP probe failed with statuscode: 503'],
    ['/redirect-local', 'success', 'body of 200'],
    ['/redirect-abs', 'success', ''],
    ['/redirect-other-host', 'warning', 'Probe terminated redirects, Response body: went elsewhere'],
  ])('GET %s → %s', async (path, result, output) => {
    const out = await runProbeHandler(probe(path), target(), {});
    expect(out).toEqual({ result, output });
  });

  it('stops after 10 redirects to the same host', async () => {
    const out = await runProbeHandler(probe('/loop'), target(), {});
    expect(out).toEqual({ result: 'failure', output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
  });

  it('sends kube-probe/1.32 as User-Agent, Accept */*, the probe headers and its Host', async () => {
    seen.length = 0;
    await runProbeHandler(probe('/hdr?q=1', { httpHeaders: [{ name: 'x-custom', value: 'v1' }, { name: 'Host', value: 'svc.example' }] }), target(), {});
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/hdr?q=1');
    expect(seen[0]!.headers['user-agent']).toBe('kube-probe/1.32');
    expect(seen[0]!.headers.accept).toBe('*/*');
    expect(seen[0]!.headers['x-custom']).toBe('v1');
    expect(seen[0]!.headers.host).toBe('svc.example');
  });

  it('lets the probe override User-Agent and drop Accept', async () => {
    seen.length = 0;
    await runProbeHandler(probe('/', { httpHeaders: [{ name: 'User-Agent', value: 'mine' }, { name: 'Accept', value: '' }] }), target(), {});
    expect(seen[0]!.headers['user-agent']).toBe('mine');
    expect(seen[0]!.headers.accept).toBeUndefined();
  });

  it('resolves a named container port and requests / for an empty path', async () => {
    seen.length = 0;
    const out = await runProbeHandler({ httpGet: { port: 'web' } }, target(container([{ name: 'web', containerPort: port }])), {});
    expect(out.result).toBe('success');
    expect(seen[0]!.path).toBe('/');
  });

  it('errors (Unhealthy "... probe errored") on a named port the container does not declare', async () => {
    const attempt = await runProbe('readiness', { httpGet: { port: 'nope' } }, target(), {});
    expect(attempt.result).toBeUndefined();
    expect(attempt.event).toEqual({ type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe errored: strconv.Atoi: parsing "nope": invalid syntax' });
  });

  it('words a refused connection as Go does', async () => {
    const closed = await closedPort();
    const attempt = await runProbe('readiness', { httpGet: { path: '/healthz', port: closed } }, target(), {});
    expect(attempt.result).toBe('failure');
    expect(attempt.event?.message).toBe(
      `Readiness probe failed: Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused`);
  });

  it('fails on timeoutSeconds while awaiting headers', async () => {
    const attempt = await runProbe('liveness', probe('/hang'), target(), {});
    expect(attempt.result).toBe('failure');
    expect(attempt.event?.message).toBe(
      `Liveness probe failed: Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
  });

  it('caps the body it reads at 10 KiB', async () => {
    const out = await runProbeHandler(probe('/big'), target(), {});
    expect(out.result).toBe('success');
    expect(out.output.length).toBe(10 * 1024);
  });

  it('speaks HTTPS without verifying the certificate', async () => {
    const out = await runProbeHandler({ httpGet: { path: '/status/200', port: tlsPort, scheme: 'HTTPS' } }, target(), {});
    expect(out).toEqual({ result: 'success', output: 'body of 200' });
    const bad = await runProbeHandler({ httpGet: { path: '/status/500', port: tlsPort, scheme: 'HTTPS' } }, target(), {});
    expect(bad).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  });

  it('reports an HTTPS probe answered in plain HTTP', async () => {
    const out = await runProbeHandler({ httpGet: { path: '/x', port, scheme: 'HTTPS' } }, target(), {});
    expect(out).toEqual({ result: 'failure', output: `Get "https://127.0.0.1:${port}/x": http: server gave HTTP response to HTTPS client` });
  });

  it('accepts header lines ending in a bare LF, as Go does (busybox httpd CGI answers)', async () => {
    const raw = net.createServer((sock) => sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\n\nhi\n')));
    const rawPort = await listen(raw);
    try {
      expect(await runProbeHandler({ httpGet: { path: '/', port: rawPort } }, target(), {})).toEqual({ result: 'success', output: 'hi\n' });
    } finally {
      await new Promise((r) => raw.close(r));
    }
  });

  it('uses the probe host over the pod IP', async () => {
    const out = await runProbeHandler({ httpGet: { host: '127.0.0.1', path: '/status/200', port } }, { ...target(), podIP: '192.0.2.1' }, {});
    expect(out.result).toBe('success');
  });
});

describe('tcpSocket probes', () => {
  it('succeeds when the port accepts, fails with the dial error when refused', async () => {
    const server = net.createServer((s) => s.end());
    const port = await listen(server);
    try {
      expect(await runProbeHandler({ tcpSocket: { port } }, { container: container(), containerId: 'c', podIP: '127.0.0.1' }, {}))
        .toEqual({ result: 'success', output: '' });
      expect(await runProbeHandler({ tcpSocket: { port: 'db' } }, {
        container: container([{ name: 'db', containerPort: port }]), containerId: 'c', podIP: '127.0.0.1',
      }, {})).toEqual({ result: 'success', output: '' });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const closed = await closedPort();
    const attempt = await runProbe('readiness', { tcpSocket: { port: closed } }, { container: container(), containerId: 'c', podIP: '127.0.0.1' }, {});
    expect(attempt.result).toBe('failure');
    expect(attempt.event?.message).toBe(`Readiness probe failed: dial tcp 127.0.0.1:${closed}: connect: connection refused`);
    expect(await tcpProbe('127.0.0.1', closed, 1000)).toEqual({ result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  });
});

describe('grpc probes', () => {
  const statuses = new Map<string, ServingStatus>([['', 'SERVING'], ['db', 'NOT_SERVING']]);
  const seenServices: string[] = [];
  const server = new grpc.Server();
  const bare = new grpc.Server();
  let port = 0;
  let barePort = 0;
  beforeAll(async () => {
    server.addService(healthServiceDefinition, {
      Check(call: grpc.ServerUnaryCall<{ service: string }, { status: ServingStatus }>, cb: grpc.sendUnaryData<{ status: ServingStatus }>) {
        seenServices.push(call.request.service);
        const s = statuses.get(call.request.service);
        if (!s) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else cb(null, { status: s });
      },
    });
    const bind = (s: grpc.Server) => new Promise<number>((resolve, reject) =>
      s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    port = await bind(server);
    barePort = await bind(bare);
  });
  afterAll(() => { server.forceShutdown(); bare.forceShutdown(); });

  const t = { container: container(), containerId: 'c', podIP: '127.0.0.1' };

  it('SERVING succeeds; the service name is sent', async () => {
    expect(await runProbeHandler({ grpc: { port } }, t, {})).toEqual({ result: 'success', output: '' });
    expect(seenServices).toContain('');
  });

  it('NOT_SERVING fails with the status in the output', async () => {
    const attempt = await runProbe('liveness', { grpc: { port, service: 'db' } }, t, {});
    expect(attempt.result).toBe('failure');
    expect(attempt.event?.message).toBe('Liveness probe failed: service unhealthy (responded with "NOT_SERVING")');
  });

  it('an RPC error fails with the gRPC code and message', async () => {
    const out = await runProbeHandler({ grpc: { port, service: 'other' } }, t, {});
    expect(out).toEqual({ result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
  });

  it('a server without the health service fails as not implementing the protocol', async () => {
    const out = await runProbeHandler({ grpc: { port: barePort } }, t, {});
    expect(out.result).toBe('failure');
    expect(out.output).toMatch(/^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
  });

  it('a refused port fails as a connect timeout', async () => {
    const closed = await closedPort();
    const out = await runProbeHandler({ grpc: { port: closed }, timeoutSeconds: 1 }, t, {});
    expect(out).toEqual({ result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${closed}" within 1s: context deadline exceeded` });
  });
});
