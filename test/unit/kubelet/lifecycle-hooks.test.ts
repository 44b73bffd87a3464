/**
 * postStart/preStop handlers against a real HTTP server on 127.0.0.1: httpGet hooks (any answer
 * succeeds, transport failures fail with upstream's message, kube-lifecycle User-Agent, HTTPS
 * answered in plain HTTP retried over HTTP), sleep hooks, and preStop bounded by the grace period
 * (seconds shrunk with secondMs).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHandler, runPostStart, runPreStop } from '../../../src/kubelet/lifecycle/index.js';

const seen: Array<{ path: string; ua?: string; auth?: string }> = [];
const server = http.createServer((req, res) => {
  seen.push({ path: req.url ?? '', ua: req.headers['user-agent'], auth: req.headers.authorization });
  if (req.url === '/hang') return;
  res.writeHead(req.url === '/fail' ? 500 : 200);
  res.end('done');
});
let port = 0;
let closed = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closed = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', uid: 'u-1' }, spec: { containers: [] } };
const ctx = (container: Container) => ({ pod, container, containerId: 'cid', podIP: '127.0.0.1', secondMs: 10 });

describe('lifecycle handlers', () => {
  it('an httpGet hook succeeds on any HTTP answer and says kube-lifecycle/1.32', async () => {
    seen.length = 0;
    const c: Container = { name: 'app', lifecycle: { postStart: { httpGet: { path: '/fail', port } } } };
    expect(await runPostStart(ctx(c))).toEqual({ ok: true, message: '' });
    expect(seen).toEqual([{ path: '/fail', ua: 'kube-lifecycle/1.32', auth: undefined }]);
  });

  it('a failed postStart httpGet hook returns upstream\'s message and the FailedPostStartHook event', async () => {
    const c: Container = { name: 'app', lifecycle: { postStart: { httpGet: { path: '/started', port: closed } } } };
    const r = await runPostStart(ctx(c));
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      `HTTP lifecycle hook (/started) for Container "app" in Pod "web_shop(u-1)" failed - error: ` +
      `Get "http://127.0.0.1:${closed}/started": dial tcp 127.0.0.1:${closed}: connect: connection refused`);
    expect(r.event).toEqual({ type: 'Warning', reason: 'FailedPostStartHook', message: 'PostStartHook failed' });
  });

  it('retries an HTTPS hook over HTTP without Authorization when the server speaks plain HTTP', async () => {
    seen.length = 0;
    const events: unknown[] = [];
    const r = await runHandler(
      { httpGet: { path: '/tls', port, scheme: 'HTTPS', httpHeaders: [{ name: 'Authorization', value: 'Bearer x' }] } },
      { ...ctx({ name: 'app' }), onEvent: (e) => events.push(e) },
    );
    expect(r.ok).toBe(true);
    expect(seen).toEqual([{ path: '/tls', ua: 'kube-lifecycle/1.32', auth: undefined }]);
    expect(events).toEqual([{ type: 'Warning', reason: 'LifecycleHTTPFallback',
      message: `request to HTTPS lifecycle hook 127.0.0.1:${port} got HTTP response, retry with HTTP succeeded` }]);
  });

  it('an exec hook without a runtime fails with the exec wording', async () => {
    const r = await runHandler({ exec: { command: ['sh', '-c', 'true'] } }, ctx({ name: 'app' }));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^Exec lifecycle hook \(\[sh -c true\]\) for Container "app" in Pod "web_shop\(u-1\)" failed - error: .*, message: ""$/);
  });

  it('a sleep hook sleeps, and a preStop sleep ends with the grace period', async () => {
    expect(await runHandler({ sleep: { seconds: 1 } }, ctx({ name: 'app' }))).toEqual({ ok: true, message: '' });
    const c: Container = { name: 'app', lifecycle: { preStop: { sleep: { seconds: 100_000 } } } };
    const r = await runPreStop(ctx(c), 3);
    expect(r).toEqual({ elapsedSeconds: 3, remainingGraceSeconds: 2, failed: false, message: '', timedOut: true });
  });

  it('an aborted sleep fails with upstream\'s message', async () => {
    const abort = new AbortController();
    const p = runHandler({ sleep: { seconds: 100_000 } }, { ...ctx({ name: 'app' }), signal: abort.signal });
    abort.abort();
    expect(await p).toMatchObject({ ok: false,
      message: 'Sleep lifecycle hook (100000) for Container "app" in Pod "web_shop(u-1)" failed - error: container terminated before sleep hook finished' });
  });

  it('a hanging preStop httpGet is abandoned at the grace period; a failing one records FailedPreStopHook', async () => {
    const hang: Container = { name: 'app', lifecycle: { preStop: { httpGet: { path: '/hang', port } } } };
    expect(await runPreStop(ctx(hang), 2)).toMatchObject({ elapsedSeconds: 2, remainingGraceSeconds: 2, timedOut: true, failed: false });

    const bad: Container = { name: 'app', lifecycle: { preStop: { httpGet: { path: '/stop', port: closed } } } };
    const r = await runPreStop(ctx(bad), 30);
    expect(r.failed).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.remainingGraceSeconds).toBeGreaterThanOrEqual(2);
    expect(r.event).toEqual({ type: 'Warning', reason: 'FailedPreStopHook', message: 'PreStopHook failed' });
    expect(r.message).toContain('HTTP lifecycle hook (/stop) for Container "app" in Pod "web_shop(u-1)" failed - error: ');
  });

  it('skips preStop when there is none or no grace period, keeping the 2 s minimum', async () => {
    expect(await runPreStop(ctx({ name: 'app' }), 30)).toEqual({ elapsedSeconds: 0, remainingGraceSeconds: 30, failed: false, message: '', timedOut: false });
    const c: Container = { name: 'app', lifecycle: { preStop: { httpGet: { path: '/x', port } } } };
    seen.length = 0;
    expect(await runPreStop(ctx(c), 0)).toMatchObject({ remainingGraceSeconds: 2, failed: false });
    expect(seen).toEqual([]);
  });
});
