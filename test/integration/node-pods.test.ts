/**
 * Real pods on containerd through the node agent, driven by the real kubectl: a pod Running with
 * an IP serving HTTP, init containers in order, a sidecar, emptyDir shared between containers,
 * CrashLoopBackOff, and graceful deletion within the grace period.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

const IMAGE = 'k8ts.local/busybox:1.36';
let t: TestServer;

function httpGet(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function podJson(name: string): Promise<any> {
  return JSON.parse(await t.ok(['get', 'pod', name, '-o', 'json']));
}

async function waitPod(name: string, what: string, check: (pod: any) => boolean, tries = 1200): Promise<any> {
  let last: any;
  await pollUntil(async () => {
    const r = await t.kubectl(['get', 'pod', name, '-o', 'json']);
    if (r.code !== 0) return false;
    last = JSON.parse(r.stdout);
    return check(last);
  }, `${name}: ${what} (last status ${JSON.stringify(last?.status)})`, tries, 100);
  return last;
}

beforeAll(async () => {
  t = await startTestServer({ runtime: 'containerd', nodeName: 'node-pods', log: (m) => process.env.K8TS_TEST_LOG && process.stderr.write(`${m}\n`) });
  await pollUntil(async () => (await t.kubectl(['get', 'node', 'node-pods'])).stdout.includes(' Ready'), 'node Ready', 1200, 100);
}, 180_000);

afterAll(async () => {
  await t?.stop();
}, 120_000);

describe('pods on containerd', () => {
  it('runs a pod with an IP that serves HTTP', async () => {
    await t.ok(['run', 'web', `--image=${IMAGE}`, '--port=8080', '--', 'sh', '-c', 'mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www']);
    const pod = await waitPod('web', 'Running and Ready', (p) => p.status?.phase === 'Running' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    expect(pod.status.podIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(pod.status.hostIP).toBe('127.0.0.1');
    expect(pod.status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0, image: IMAGE });
    expect(pod.status.containerStatuses[0].containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(pod.status.qosClass).toBe('BestEffort');
    let res: { status: number; body: string } | undefined;
    await pollUntil(async () => {
      res = await httpGet(pod.status.podIP, 8080, '/').catch(() => undefined);
      return res?.status === 200;
    }, 'HTTP answer from the pod', 100, 100);
    expect(res!.body).toBe('hello-from-pod\n');
    const wide = await t.ok(['get', 'pod', 'web', '-o', 'wide']);
    expect(wide).toMatch(new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${pod.status.podIP.replace(/\./g, '\\.')}\\s+node-pods`));
    const describe = await t.ok(['describe', 'pod', 'web']);
    expect(describe).toContain(`Container image "${IMAGE}" already present on machine`);
    expect(describe).toContain('Started container web');
  }, 120_000);
});
