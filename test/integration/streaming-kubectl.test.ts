/**
 * Streaming with the real kubectl against pods on containerd, through the API server's proxy to the
 * node's kubelet API: logs (follow, previous, tail, timestamps, -c), exec (websocket v5 with 1.32,
 * SPDY with 1.27; exit codes, stdin), attach, port-forward (SPDY inside a websocket) and cp.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { KUBECTL_DIR, startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

const IMAGE = 'k8ts.local/busybox:1.36';
let t: TestServer;
let work: string;

async function podJson(name: string): Promise<any> {
  const r = await t.kubectl(['get', 'pod', name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

async function waitPod(name: string, what: string, check: (pod: any) => boolean): Promise<any> {
  let last: any;
  await pollUntil(async () => {
    last = await podJson(name);
    return Boolean(last && check(last));
  }, `${name}: ${what} (last status ${JSON.stringify(last?.status)})`, 1200, 100);
  return last;
}

const running = (p: any): boolean => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c: any) => c.state?.running);

function pod(name: string, containers: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers, ...extra } });
}

function sh(name: string, script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: IMAGE, command: ['sh', '-c', script], ...extra };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'k8ts-streaming-kubectl-'));
  t = await startTestServer({ runtime: 'containerd', nodeName: 'node-stream', log: (m) => process.env.K8TS_TEST_LOG && process.stderr.write(`${m}\n`) });
  await pollUntil(async () => (await t.kubectl(['get', 'node', 'node-stream'])).stdout.includes(' Ready'), 'node Ready', 1200, 100);
  await t.ok(['apply', '-f', '-'], pod('shell', [sh('shell', 'echo shell-started; exec sleep 3600')]));
  await t.ok(['apply', '-f', '-'], pod('two', [sh('a', 'echo from-a; exec sleep 3600'), sh('b', 'echo from-b; exec sleep 3600')]));
  await t.ok(['apply', '-f', '-'], pod('web', [sh('web', 'mkdir -p /www && echo hello-through-port-forward > /www/index.html && exec httpd -f -p 8080 -h /www')]));
  await t.ok(['apply', '-f', '-'], pod('upper', [sh('upper', 'tr a-z A-Z; echo stdin-closed', { stdin: true, stdinOnce: true })], { restartPolicy: 'Never' }));
  await t.ok(['apply', '-f', '-'], pod('ticker', [sh('ticker', 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 1; done')]));
  await t.ok(['apply', '-f', '-'], pod('crash', [sh('crash', 'n=$(cat /data/n 2>/dev/null || echo 0); echo run-$n; echo $((n+1)) > /data/n; exit 1', { volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
    { volumes: [{ name: 'data', emptyDir: {} }] }));
  for (const name of ['shell', 'two', 'web', 'ticker', 'upper']) await waitPod(name, 'Running', running);
}, 240_000);

afterAll(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe('kubectl logs', () => {
  it('follows a container until it exits, and reads its finished log with --tail, --timestamps and -c', async () => {
    await t.ok(['apply', '-f', '-'], pod('counter', [sh('counter', 'echo start; sleep 2; echo later; sleep 1; echo end')], { restartPolicy: 'Never' }));
    await waitPod('counter', 'Running', running);
    // -f started before "later" is written: it sees it, and exits 0 when the container ends.
    const followed = await t.kubectl(['logs', '-f', 'counter'], { timeoutMs: 60_000 });
    expect(followed).toMatchObject({ code: 0, stdout: 'start\nlater\nend\n' });
    await waitPod('counter', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    expect(await t.ok(['logs', 'counter'])).toBe('start\nlater\nend\n');
    expect(await t.ok(['logs', 'counter', '--tail=1'])).toBe('end\n');
    expect(await t.ok(['logs', 'counter', '--since=1h'])).toBe('start\nlater\nend\n');
    expect(await t.ok(['logs', 'counter', '--tail=2', '--timestamps'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) later\n\S+ end\n$/);
    expect(await t.ok(['logs', 'counter', '--limit-bytes=7'])).toBe('start\nl');
    expect(await t.ok(['logs', 'two', '-c', 'b'])).toBe('from-b\n');
  });

  it('answers container errors as upstream', async () => {
    const raw = await t.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/two/log']);
    expect(raw.code).toBe(1);
    expect(raw.stderr).toContain('a container name must be specified for pod two, choose one of: [a b]');
    const wrong = await t.kubectl(['logs', 'two', '-c', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('container nope is not valid for pod two');
    const noPrev = await t.kubectl(['logs', 'shell', '--previous']);
    expect(noPrev.code).toBe(1);
    expect(noPrev.stderr).toContain('previous terminated container "shell" in pod "shell" not found');
  });

  it('shows the previous instance of a restarted container with --previous', async () => {
    const p = await waitPod('crash', 'restarted once', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    const restarts = p.status.containerStatuses[0].restartCount;
    const prev = await t.ok(['logs', 'crash', '--previous']);
    // The previous run is the one before the current count (or, if it restarted meanwhile, the one after).
    expect([`run-${restarts - 1}\n`, `run-${restarts}\n`]).toContain(prev);
  });
});

describe('kubectl exec', () => {
  it('runs a command over websocket (1.32) with stdout, stderr and exit 0', async () => {
    const r = await t.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r).toMatchObject({ code: 0, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes a non-zero exit code through', async () => {
    const r = await t.kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('feeds stdin with -i and closes it at EOF', async () => {
    const r = await t.kubectl(['exec', '-i', 'shell', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], { input: 'hello stdin\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'HELLO STDIN\ndone\n' });
  });

  it('streams megabytes both ways', async () => {
    const big = 'y'.repeat(3_000_000);
    const r = await t.kubectl(['exec', '-i', 'shell', '--', 'sh', '-c', 'wc -c >&2; head -c 4000000 /dev/zero | tr "\\0" x'], { input: big, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe('3000000');
    expect(r.stdout.length).toBe(4_000_000);
    expect(/^x+$/.test(r.stdout)).toBe(true);
  });

  it('picks the container with -c and refuses an unknown one', async () => {
    expect(await t.ok(['exec', 'two', '-c', 'b', '--', 'sh', '-c', 'echo in-b'])).toBe('in-b\n');
    const r = await t.kubectl(['exec', 'two', '-c', 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('container nope is not valid for pod two');
  });

  it('works over SPDY with kubectl 1.27 (exit codes and stdin)', async () => {
    const r = await t.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo via-spdy; exit 4'], { version: '1.27' });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('via-spdy\n');
    expect(r.stderr).toContain('command terminated with exit code 4');
    const i = await t.kubectl(['exec', '-i', 'shell', '--', 'sh', '-c', 'wc -l'], { version: '1.27', input: 'a\nb\nc\n' });
    expect(i).toMatchObject({ code: 0 });
    expect(i.stdout.trim()).toBe('3');
  });

  it('reports a container that has not started as upstream', async () => {
    await t.ok(['apply', '-f', '-'], pod('pending', [{ name: 'c', image: 'k8ts.local/no-such-image:1', command: ['true'] }]));
    await waitPod('pending', 'waiting on an image', (p) => ['ErrImagePull', 'ImagePullBackOff'].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason));
    const r = await t.kubectl(['exec', 'pending', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unable to upgrade connection: container not found ("c")');
    const logs = await t.kubectl(['logs', 'pending']);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toMatch(/container "c" in pod "pending" is waiting to start: (image can't be pulled|trying and failing to pull image)/);
  });

  it('authenticates upgrade requests like any other (no credentials: 401 Status before any upgrade)', async () => {
    const ca = await readFile(join(t.dataDir, 'pki', 'ca.crt'), 'utf8');
    const ws = new WebSocket(`${t.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true`, ['v5.channel.k8s.io'], { ca });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.on('unexpected-response', (_req, r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      ws.on('open', () => reject(new Error('upgraded without credentials')));
      ws.on('error', () => undefined);
    });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('refuses a pod without a node', async () => {
    await t.ok(['apply', '-f', '-'], pod('nowhere', [sh('c', 'true')], { nodeSelector: { 'no-such-label': 'x' } }));
    const r = await t.kubectl(['exec', 'nowhere', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pod nowhere does not have a host assigned');
  });
});

describe('kubectl attach, port-forward and cp', () => {
  it('attaches to a running container and streams its output', async () => {
    const child = spawn(join(KUBECTL_DIR, 'kubectl.1.32'), ['--kubeconfig', t.kubeconfig, 'attach', 'ticker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await pollUntil(async () => /tick-\d+\n[\s\S]*tick-\d+\n/.test(out), `two ticks through attach (got ${JSON.stringify(out)})`, 300, 100);
    } finally {
      child.kill('SIGINT');
    }
    const ticks = [...out.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]));
    expect(ticks[1]).toBe(ticks[0]! + 1);
  });

  it('attaches stdin with -i; EOF closes a stdinOnce container\'s stdin', async () => {
    const r = await t.kubectl(['attach', '-i', 'upper'], { input: 'hello attach\n', timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('HELLO ATTACH\nstdin-closed\n');
    await waitPod('upper', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  });

  it.each(['1.32', '1.27'])('forwards a local port to the pod with kubectl %s', async (version) => {
    const child = spawn(join(KUBECTL_DIR, `kubectl.${version}`), ['--kubeconfig', t.kubeconfig, 'port-forward', 'pod/web', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    try {
      await pollUntil(async () => /Forwarding from 127\.0\.0\.1:\d+ -> 8080/.test(out), `port-forward ready (stdout ${out}, stderr ${err})`, 300, 100);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      for (let i = 0; i < 2; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/index.html', timeout: 10_000 }, (res) => {
            let b = '';
            res.on('data', (d) => (b += d));
            res.on('end', () => resolve(b));
          });
          req.on('error', reject);
          req.on('timeout', () => req.destroy(new Error('timeout')));
          req.end();
        });
        expect(body).toBe('hello-through-port-forward\n');
      }
      expect(out).toContain('Handling connection for');
    } finally {
      child.kill('SIGINT');
    }
  });

  it('copies files into and out of a container with kubectl cp', async () => {
    const local = join(work, 'in.txt');
    const content = `copied ${'x'.repeat(100_000)}\nlast line\n`;
    await writeFile(local, content);
    const up = await t.kubectl(['cp', local, 'shell:/tmp/in.txt'], { timeoutMs: 60_000 });
    expect(up.code, up.stderr).toBe(0);
    expect((await t.ok(['exec', 'shell', '--', 'wc', '-c', '/tmp/in.txt'])).trim()).toBe(`${content.length} /tmp/in.txt`);
    const back = join(work, 'out.txt');
    const down = await t.kubectl(['cp', 'shell:/tmp/in.txt', back], { timeoutMs: 60_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(await readFile(back, 'utf8')).toBe(content);
  });
});
