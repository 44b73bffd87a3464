/**
 * Probes and hooks of real pods on containerd through the node agent, driven by the real kubectl:
 * a failing liveness probe restarts the container (RESTARTS goes up, Unhealthy and Killing
 * events), a readiness probe gates READY and the Ready condition (a file on a hostPath volume the
 * test creates and removes), a startup probe holds started/Ready until it passes, and a postStart
 * hook runs in the container.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

const IMAGE = 'k8ts.local/busybox:1.36';
let t: TestServer;
let hostDir: string;

async function waitPod(name: string, what: string, check: (pod: any) => boolean, tries = 1200): Promise<any> {
  let last: any;
  try {
    await pollUntil(async () => {
      const r = await t.kubectl(['get', 'pod', name, '-o', 'json']);
      if (r.code !== 0) return false;
      last = JSON.parse(r.stdout);
      return check(last);
    }, `${name}: ${what}`, tries, 100);
  } catch (err) {
    throw new Error(`${(err as Error).message} (last status ${JSON.stringify(last?.status)})`);
  }
  return last;
}

async function events(pod: string): Promise<Array<{ type: string; reason: string; message: string }>> {
  const out = JSON.parse(await t.ok(['get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'json']));
  return out.items.map((e: any) => ({ type: e.type, reason: e.reason, message: e.message }));
}

const readyCondition = (p: any): string | undefined => p.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;

function podYaml(name: string, container: Record<string, unknown>, grace = 1): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      terminationGracePeriodSeconds: grace,
      volumes: [{ name: 'host', hostPath: { path: hostDir, type: 'Directory' } }],
      containers: [{ name: 'app', image: IMAGE, volumeMounts: [{ name: 'host', mountPath: '/host' }], ...container }],
    },
  });
}

beforeAll(async () => {
  hostDir = mkdtempSync(join(tmpdir(), 'k8ts-probes-host-'));
  t = await startTestServer({
    runtime: 'containerd', nodeName: 'node-probes', agent: { backoffInitialMs: 500 },
    log: (m) => process.env.K8TS_TEST_LOG && process.stderr.write(`${m}\n`),
  });
  await pollUntil(async () => (await t.kubectl(['get', 'node', 'node-probes'])).stdout.includes(' Ready'), 'node Ready', 1200, 100);
}, 180_000);

afterAll(async () => {
  await t?.stop();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
}, 120_000);

describe('probes on containerd', () => {
  it('restarts a container whose liveness probe fails', async () => {
    await t.ok(['apply', '-f', '-'], podYaml('liveness', {
      command: ['sleep', '3600'],
      livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2 },
    }));
    const pod = await waitPod('liveness', 'restarted by its liveness probe', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    expect(pod.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 137 });
    const ev = await events('liveness');
    expect(ev).toContainEqual({ type: 'Warning', reason: 'Unhealthy', message: "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n" });
    expect(ev).toContainEqual({ type: 'Normal', reason: 'Killing', message: 'Container app failed liveness probe, will be restarted' });
    const get = await t.ok(['get', 'pod', 'liveness']);
    expect(get).toMatch(/liveness\s+\d\/1\s+\S+\s+[1-9]/);
    const describe = await t.ok(['describe', 'pod', 'liveness']);
    expect(describe).toContain('Liveness:       exec [cat /tmp/healthy] delay=0s timeout=1s period=1s #success=1 #failure=2');
  }, 120_000);

  it('holds READY at 0/1 until the readiness probe passes, and drops it when it fails again', async () => {
    const file = join(hostDir, 'ready');
    await t.ok(['apply', '-f', '-'], podYaml('readiness', {
      command: ['sleep', '3600'],
      readinessProbe: { exec: { command: ['cat', '/host/ready'] }, periodSeconds: 1, failureThreshold: 1 },
    }));
    const running = await waitPod('readiness', 'Running with the probe failing',
      (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.started === true
        && (p.status.containerStatuses?.[0] && p.status.containerStatuses[0].ready === false));
    expect(readyCondition(running)).toBe('False');
    expect(await t.ok(['get', 'pod', 'readiness'])).toMatch(/readiness\s+0\/1\s+Running\s+0/);
    await pollUntil(async () => (await events('readiness')).some((e) => e.reason === 'Unhealthy'), 'an Unhealthy event', 600, 100);
    expect(await events('readiness')).toContainEqual({
      type: 'Warning', reason: 'Unhealthy', message: "Readiness probe failed: cat: can't open '/host/ready': No such file or directory\n",
    });

    writeFileSync(file, 'yes\n');
    const ready = await waitPod('readiness', 'Ready', (p) => readyCondition(p) === 'True');
    expect(ready.status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });
    expect(await t.ok(['get', 'pod', 'readiness'])).toMatch(/readiness\s+1\/1\s+Running\s+0/);

    rmSync(file);
    const unready = await waitPod('readiness', 'not Ready again', (p) => readyCondition(p) === 'False');
    expect(unready.status.phase).toBe('Running');
    expect(unready.status.containerStatuses[0].restartCount).toBe(0);
  }, 120_000);

  it('keeps a container not started and not ready until its startup probe passes', async () => {
    const file = join(hostDir, 'started');
    await t.ok(['apply', '-f', '-'], podYaml('startup', {
      command: ['sleep', '3600'],
      startupProbe: { exec: { command: ['cat', '/host/started'] }, periodSeconds: 1, failureThreshold: 1000 },
    }));
    const waiting = await waitPod('startup', 'Running, not started',
      (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running !== undefined);
    expect(waiting.status.containerStatuses[0]).toMatchObject({ started: false, ready: false });
    expect(readyCondition(waiting)).toBe('False');
    writeFileSync(file, 'yes\n');
    const started = await waitPod('startup', 'started and Ready', (p) => readyCondition(p) === 'True');
    expect(started.status.containerStatuses[0]).toMatchObject({ started: true, ready: true, restartCount: 0 });
  }, 120_000);

  it('runs a postStart hook in the container', async () => {
    await t.ok(['apply', '-f', '-'], podYaml('poststart', {
      command: ['sleep', '3600'],
      lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo hooked > /host/poststart'] } } },
      readinessProbe: { exec: { command: ['grep', '-q', 'hooked', '/host/poststart'] }, periodSeconds: 1 },
    }));
    await waitPod('poststart', 'Ready after its hook wrote the file', (p) => readyCondition(p) === 'True');
  }, 120_000);

  it('reaches the pod IP with httpGet (named port) and tcpSocket probes, and reports HTTP failures', async () => {
    const serve = 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www';
    await t.ok(['apply', '-f', '-'], podYaml('web', {
      command: ['sh', '-c', serve], ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/index.html', port: 'http' }, periodSeconds: 1 },
      livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 5 },
    }));
    const web = await waitPod('web', 'Ready', (p) => readyCondition(p) === 'True');
    expect(web.status.podIP).toMatch(/^10\./);
    expect(web.status.containerStatuses[0].restartCount).toBe(0);

    await t.ok(['apply', '-f', '-'], podYaml('web404', {
      command: ['sh', '-c', serve],
      readinessProbe: { httpGet: { path: '/missing', port: 8080 }, periodSeconds: 1 },
    }));
    await pollUntil(async () => (await events('web404')).some((e) => e.reason === 'Unhealthy'), 'an Unhealthy event', 600, 100);
    expect(await events('web404')).toContainEqual({ type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 404' });
    expect(readyCondition(await waitPod('web404', 'Running', (p) => p.status?.phase === 'Running'))).toBe('False');
  }, 120_000);

  it('restarts a container whose postStart hook fails', async () => {
    await t.ok(['apply', '-f', '-'], podYaml('badhook', {
      command: ['sleep', '3600'],
      lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 3'] } } },
    }));
    await waitPod('badhook', 'restarted after the failed hook', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    expect((await events('badhook')).map((e) => e.reason)).toContain('FailedPostStartHook');
  }, 120_000);

  it('runs the preStop hook when the pod is deleted', async () => {
    // A grace period the hook surely fits in; the container itself exits on SIGTERM.
    await t.ok(['apply', '-f', '-'], podYaml('prestop', {
      command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'],
      lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo bye > /host/prestop'] } } },
    }, 30));
    await waitPod('prestop', 'Running', (p) => p.status?.phase === 'Running' && readyCondition(p) === 'True');
    expect(existsSync(join(hostDir, 'prestop'))).toBe(false);
    await t.ok(['delete', 'pod', 'prestop', '--wait=true', '--timeout=60s']);
    expect(readFileSync(join(hostDir, 'prestop'), 'utf8')).toBe('bye\n');
  }, 120_000);

  it('runs an httpGet postStart hook against the pod IP before the pod has reported one', async () => {
    // A sidecar serves a CGI script that leaves a mark on the hostPath; its startup probe makes
    // the main container (with the hook) start only once the server listens.
    const cgi = 'mkdir -p /www/cgi-bin && printf \'#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho hooked\\necho "$HTTP_USER_AGENT" > /host/poststart-http\\n\' > /www/cgi-bin/hook'
      + ' && chmod +x /www/cgi-bin/hook && exec httpd -f -p 8080 -h /www';
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'httphook' },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'host', hostPath: { path: hostDir, type: 'Directory' } }],
        initContainers: [{
          name: 'server', image: IMAGE, restartPolicy: 'Always', command: ['sh', '-c', cgi],
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
          startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 60 },
        }],
        containers: [{
          name: 'app', image: IMAGE, command: ['sleep', '3600'],
          lifecycle: { postStart: { httpGet: { path: '/cgi-bin/hook', port: 8080 } } },
        }],
      },
    }));
    const pod = await waitPod('httphook', 'Ready', (p) => readyCondition(p) === 'True', 300).catch(async (err) => {
      throw new Error(`${err.message}; events: ${JSON.stringify(await events('httphook'))}`);
    });
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
    expect(readFileSync(join(hostDir, 'poststart-http'), 'utf8')).toBe('kube-lifecycle/1.32\n');
    expect((await events('httphook')).map((e) => e.reason)).not.toContain('FailedPostStartHook');
  }, 120_000);
});
