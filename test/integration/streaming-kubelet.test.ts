/**
 * The kubelet API against a real containerd: a host-network sandbox with busybox containers run through
 * the CRI client, k8ts' kubelet server in front of them, driven by our own websocket (v5.channel.k8s.io),
 * SPDY (v4.channel.k8s.io pass-through) and port-forward tunnel clients, with cluster-CA client certs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket } from 'ws';
import { CriClient, type ContainerConfig, type PodSandboxConfig } from '../../src/kubelet/cri/index.js';
import { startContainerd, type ContainerdHandle } from '../../src/kubelet/containerd/index.js';
import { BUSYBOX_IMAGE, ensureBuiltinImages, importImageArchive } from '../../src/kubelet/images/index.js';
import { startKubeletServer, KUBELET_CLIENT_USER, type KubeletServer } from '../../src/kubelet/server/index.js';
import { RemoteCommand, SpdySession, type SpdyStream } from '../../src/kubelet/streaming/index.js';
import { rotatedFiles, startContainerLogRotation } from '../../src/kubelet/logs/index.js';
import { ensurePki, issueClientCert, issueServingCert } from '../../src/pki/index.js';
import { tearDownCri } from '../helpers/cri.js';
import { ensureTestImages } from '../helpers/images.js';
import { pollUntil } from '../helpers/poll.js';

const TEST_LABEL = 'k8ts.test/streaming-kubelet';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('kubelet API on containerd', () => {
  let dataDir: string;
  let ctrd: ContainerdHandle;
  let cri: CriClient;
  let kubelet: KubeletServer;
  let ca: string;
  let client: { certPem: string; keyPem: string };
  let stranger: { certPem: string; keyPem: string };
  const runId = randomUUID().slice(0, 8);
  const ns = 'default';
  const pod = `stream-${runId}`;
  let httpPort: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-streaming-'));
    ctrd = await startContainerd({ dataDir });
    cri = await CriClient.connect(ctrd.endpoint);
    await ensureBuiltinImages(cri);
    await importImageArchive(ctrd.endpoint, (await ensureTestImages()).busybox);

    const pki = await ensurePki(dataDir, { hosts: ['127.0.0.1'] });
    ca = pki.caCertPem;
    client = await issueClientCert(pki, { user: KUBELET_CLIENT_USER, groups: ['system:masters'] });
    stranger = await issueClientCert(pki, { user: 'someone' });
    const serving = await issueServingCert(pki, { commonName: 'node-1', hosts: ['127.0.0.1'] });
    kubelet = await startKubeletServer({
      host: '127.0.0.1', port: 0, tls: { key: serving.keyPem, cert: serving.certPem, ca: pki.caCertPem }, runtime: cri.runtime, log: () => {},
    });

    const uid = randomUUID();
    const config: PodSandboxConfig = {
      metadata: { name: pod, namespace: ns, uid, attempt: 0 },
      logDirectory: join(dataDir, 'agent', 'pod-logs', `${ns}_${pod}_${uid}`),
      labels: { 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': ns, 'io.kubernetes.pod.uid': uid, [TEST_LABEL]: runId },
      linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
    httpPort = await freePort();
    const run = async (name: string, args: string, restartCount = 0): Promise<string> => {
      const c: ContainerConfig = {
        metadata: { name, attempt: restartCount },
        image: { image: BUSYBOX_IMAGE },
        command: ['sh', '-c'],
        args: [args],
        logPath: `${name}/${restartCount}.log`,
        labels: { 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': ns, 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': name },
        annotations: { 'io.kubernetes.container.restartCount': String(restartCount) },
      };
      const { containerId } = await cri.runtime.createContainer({ podSandboxId, sandboxConfig: config, config: c });
      await cri.runtime.startContainer({ containerId });
      return containerId;
    };
    await run('main', 'echo line-1; echo err-1 >&2; sleep 0.2; echo line-2; exec sleep 3600');
    await run('chatty', 'i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.02; done');
    await run('web', `mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 127.0.0.1:${httpPort} -h /www`);
    // A container that already ran once (restart 0 exited), then its restart 1.
    const first = await run('crashy', 'echo first-run; exit 1', 0);
    await pollUntil(async () => (await cri.runtime.containerStatus({ containerId: first })).status?.state === 'CONTAINER_EXITED', 'first crashy run to exit');
    await run('crashy', 'echo second-run; for i in 1 2 3; do sleep 1; echo tick-$i; done', 1);
  });

  afterAll(async () => {
    await kubelet?.close();
    await tearDownCri({ cri, ctrd, dataDir, label: TEST_LABEL, runId });
  });

  function get(path: string, who: { certPem: string; keyPem: string } | null = client): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: kubelet.port, path, ca, servername: '127.0.0.1',
        ...(who ? { cert: who.certPem, key: who.keyPem } : {}),
      }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  function wsExec(path: string, stdin?: string): Promise<{ stdout: string; stderr: string; status: any; protocol: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${kubelet.port}${path}`, ['v5.channel.k8s.io'], { ca, cert: client.certPem, key: client.keyPem });
      let stdout = '';
      let stderr = '';
      let status: any;
      ws.on('open', () => {
        if (stdin !== undefined) {
          ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]));
          ws.send(Buffer.from([255, 0]));
        }
      });
      ws.on('message', (data: Buffer) => {
        const ch = data[0];
        const text = data.subarray(1).toString();
        if (ch === 1) stdout += text;
        else if (ch === 2) stderr += text;
        else if (ch === 3) status = JSON.parse(text);
      });
      ws.on('close', () => resolve({ stdout, stderr, status, protocol: ws.protocol }));
      ws.on('error', reject);
    });
  }

  const q = (cmd: string[], extra = 'stdout=true&stderr=true') => `${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${extra}`;

  it('serves /healthz, and only to the API server kubelet client otherwise', async () => {
    expect(await get('/healthz', null)).toEqual({ status: 200, body: 'ok' });
    expect((await get(`/containerLogs/${ns}/${pod}/main`, null)).status).toBe(401);
    const denied = await get(`/containerLogs/${ns}/${pod}/main`, stranger);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).message).toBe('Forbidden (user=someone, verb=get, resource=nodes, subresource=log)');
  });

  it('serves container logs with tail, timestamps and limitBytes', async () => {
    await pollUntil(async () => (await get(`/containerLogs/${ns}/${pod}/main`)).body.split('\n').length >= 4, 'main container output');
    const all = await get(`/containerLogs/${ns}/${pod}/main`);
    expect(all.status).toBe(200);
    expect(all.body.split('\n').filter(Boolean).sort()).toEqual(['err-1', 'line-1', 'line-2']);
    expect((await get(`/containerLogs/${ns}/${pod}/main?tailLines=1`)).body).toBe('line-2\n');
    expect((await get(`/containerLogs/${ns}/${pod}/main?tailLines=1&timestamps=true`)).body).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) line-2\n$/);
    expect((await get(`/containerLogs/${ns}/${pod}/main?limitBytes=3`)).body).toHaveLength(3);
    const missing = await get(`/containerLogs/${ns}/${pod}/nope`);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).message).toBe(`container "nope" in pod "${pod}" is waiting to start: ContainerCreating`);
  });

  it('serves the previous instance and follows the current one until it exits', async () => {
    expect((await get(`/containerLogs/${ns}/${pod}/crashy?previous=true`)).body).toBe('first-run\n');
    const noPrev = await get(`/containerLogs/${ns}/${pod}/main?previous=true`);
    expect(noPrev.status).toBe(400);
    expect(JSON.parse(noPrev.body).message).toBe(`previous terminated container "main" in pod "${pod}" not found`);
    // follow ends by itself once the container has exited.
    const followed = await get(`/containerLogs/${ns}/${pod}/crashy?follow=true`);
    expect(followed.body).toBe('second-run\ntick-1\ntick-2\ntick-3\n');
  });

  it('rotates a large log file (ReopenContainerLog) while a follower keeps reading without gaps', async () => {
    const rotation = startContainerLogRotation({ runtime: cri.runtime, maxSizeBytes: 2048, maxFiles: 3, intervalMs: 3_600_000 });
    const ac = new AbortController();
    let text = '';
    const follow = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: kubelet.port, path: `/containerLogs/${ns}/${pod}/chatty?follow=true`, ca, cert: client.certPem, key: client.keyPem, signal: ac.signal }, (res) => {
        res.on('data', (d) => (text += d));
        res.on('close', () => resolve());
      });
      req.on('error', (err) => (ac.signal.aborted ? resolve() : reject(err)));
      req.end();
    });
    const lineCount = (): number => text.split('\n').length - 1;
    try {
      for (let round = 0; round < 3; round++) {
        const before = lineCount();
        await pollUntil(async () => lineCount() >= before + 60, 'more chatty output', 400, 25);
        await rotation.rotateNow();
      }
      const before = lineCount();
      await pollUntil(async () => lineCount() >= before + 50, 'output after the last rotation', 400, 25);
    } finally {
      rotation.stop();
      ac.abort();
      await follow;
    }
    const numbers = text.split('\n').filter(Boolean).map((l) => Number(/^line-(\d+)$/.exec(l)![1]));
    expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1)).toBe(true);
    const st = await cri.runtime.listContainers({ filter: { labelSelector: { 'io.kubernetes.container.name': 'chatty', 'io.kubernetes.pod.name': pod } } });
    const logPath = (await cri.runtime.containerStatus({ containerId: st.containers[0]!.id })).status!.logPath;
    // maxFiles 3: the current file and at most two rotated ones.
    const rotated = await rotatedFiles(logPath);
    expect(rotated.length).toBeGreaterThanOrEqual(1);
    expect(rotated.length).toBeLessThanOrEqual(2);
  });

  it('execs over websocket v5 with output, stderr and exit codes', async () => {
    const ok = await wsExec(`/exec/${ns}/${pod}/main?${q(['sh', '-c', 'echo hi; echo there >&2'])}`);
    expect(ok.protocol).toBe('v5.channel.k8s.io');
    expect(ok).toMatchObject({ stdout: 'hi\n', stderr: 'there\n', status: { status: 'Success' } });
    const three = await wsExec(`/exec/${ns}/${pod}/main?${q(['sh', '-c', 'exit 3'])}`);
    expect(three.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('passes stdin through and closes it with the v5 close signal', async () => {
    const payload = 'x'.repeat(200_000) + '\nend\n';
    const r = await wsExec(`/exec/${ns}/${pod}/main?${q(['sh', '-c', 'wc -c; tail -n1'], 'stdin=true&stdout=true&stderr=true')}`, payload);
    expect(r.stdout.trim().split('\n')[0]!.trim()).toBe(String(payload.length));
    expect(r.status).toMatchObject({ status: 'Success' });
  });

  it('runs a TTY session over websocket with terminal resizes', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${kubelet.port}/exec/${ns}/${pod}/main?command=sh&stdin=true&stdout=true&tty=true`, ['v5.channel.k8s.io'], { ca, cert: client.certPem, key: client.keyPem });
    let out = '';
    let status: any;
    let sent = false;
    ws.on('open', () => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":100,"Height":40}')])));
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) {
        out += data.subarray(1).toString();
        // The shell's prompt is up: the terminal exists and has been sized.
        if (!sent && out.includes('#')) {
          sent = true;
          ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('stty size; exit 7\n')]));
        }
      } else if (data[0] === 3) status = JSON.parse(data.subarray(1).toString());
    });
    await new Promise<void>((resolve, reject) => {
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    expect(out).toContain('40 100');
    expect(status.details.causes[0].message).toBe('7');
  });

  it('passes SPDY exec through to the runtime (v4.channel.k8s.io)', async () => {
    const rc = await RemoteCommand.connect(`https://127.0.0.1:${kubelet.port}/exec/${ns}/${pod}/main?${q(['sh', '-c', 'cat; echo done >&2; exit 5'], 'stdin=true&stdout=true&stderr=true')}`,
      { stdin: true, stdout: true, stderr: true, tty: false }, { ca, cert: client.certPem, key: client.keyPem });
    let out = '';
    let err = '';
    rc.on('stdout', (d) => (out += d));
    rc.on('stderr', (d) => (err += d));
    const exit = new Promise<string>((r) => rc.once('exit', r));
    rc.writeStdin(Buffer.from('via spdy\n'));
    rc.endStdin();
    const status = JSON.parse(await exit);
    expect(out).toBe('via spdy\n');
    expect(err).toBe('done\n');
    expect(status.details.causes[0].message).toBe('5');
  });

  it('tunnels SPDY port-forward frames inside a websocket to a port in the pod', async () => {
    // As kubectl: the subprotocol has a "/", which the ws client refuses to send, so the handshake is by hand.
    const { ws, protocol } = await rawWebSocket(`/portForward/${ns}/${pod}`, 'SPDY/3.1+portforward.k8s.io');
    expect(protocol).toBe('SPDY/3.1+portforward.k8s.io');
    const session = new SpdySession(createWebSocketStream(ws), 'client');
    await pollUntil(async () => {
      const body = await httpOverForward(session, httpPort).catch(() => '');
      return body.includes('hello-from-httpd');
    }, 'an HTTP answer through the port-forward tunnel', 100, 100);
    session.destroy();
  });

  function rawWebSocket(path: string, subprotocol: string): Promise<{ ws: WebSocket; protocol: string | undefined }> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: kubelet.port, path, ca, cert: client.certPem, key: client.keyPem,
        headers: {
          Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': subprotocol,
        },
      });
      req.on('upgrade', (res, socket, head) => {
        const ws = new WebSocket(null as unknown as string, undefined, {});
        const internal = ws as unknown as { _isServer: boolean; setSocket(s: unknown, h: Buffer, o: object): void };
        internal._isServer = false; // a client: frames are masked
        internal.setSocket(socket, head, { maxPayload: 64 * 1024 * 1024 });
        resolve({ ws, protocol: res.headers['sec-websocket-protocol'] });
      });
      req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  }

  let requestId = 0;
  async function httpOverForward(session: SpdySession, port: number): Promise<string> {
    const id = String(requestId++);
    const error = session.openStream({ streamtype: 'error', port: String(port), requestid: id });
    error.end();
    const data: SpdyStream = session.openStream({ streamtype: 'data', port: String(port), requestid: id });
    let body = '';
    let errText = '';
    error.on('data', (d) => (errText += d));
    data.on('data', (d) => (body += d));
    data.write(`GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n`);
    await new Promise<void>((r) => data.once('end', () => r()));
    if (errText) throw new Error(errText);
    return body;
  }
});
