/**
 * Real pods on containerd through the node agent, driven by the real kubectl: a pod Running with
 * an IP serving HTTP, init containers in order, a sidecar, emptyDir shared between containers,
 * CrashLoopBackOff, and graceful deletion within the grace period.
 */
import { request } from 'node:http';
import { createServer } from 'node:net';
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

/** A port free on loopback right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
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

  it('runs init containers in order before the main container, which sees their work through a shared emptyDir', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'inits' },
      spec: {
        volumes: [{ name: 'shared', emptyDir: {} }],
        initContainers: [
          { name: 'first', image: IMAGE, command: ['sh', '-c', 'echo first >> /shared/order'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
          // Waits for the test's go-ahead, so the pod is seen initializing.
          { name: 'second', image: IMAGE, command: ['sh', '-c', 'while [ ! -f /shared/go ]; do sleep 0.1; done; echo second >> /shared/order'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
        ],
        containers: [
          { name: 'main', image: IMAGE, command: ['sh', '-c', 'echo main >> /shared/order; cat /shared/order; exec sleep 3600'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
          { name: 'reader', image: IMAGE, command: ['sh', '-c', 'while ! grep -q main /data/order; do sleep 0.2; done; echo reader-saw; exec sleep 3600'], volumeMounts: [{ name: 'shared', mountPath: '/data' }] },
        ],
        terminationGracePeriodSeconds: 1,
      },
    }));
    // While the second init container runs, the pod is Pending and kubectl shows Init:1/2.
    const initializing = await waitPod('inits', 'second init container running', (p) => !!p.status?.initContainerStatuses?.[1]?.state?.running);
    expect(initializing.status.phase).toBe('Pending');
    expect(initializing.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(initializing.status.containerStatuses.map((c: any) => c.state.waiting?.reason)).toEqual(['PodInitializing', 'PodInitializing']);
    expect(await t.ok(['get', 'pod', 'inits'])).toMatch(/inits\s+0\/2\s+Init:1\/2\s+0/);
    await t.ok(['exec', 'inits', '-c', 'second', '--', 'touch', '/shared/go']);
    const pod = await waitPod('inits', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c: any) => c.ready));
    expect(pod.status.initContainerStatuses.map((s: any) => [s.name, s.state.terminated?.reason, s.state.terminated?.exitCode])).toEqual([
      ['first', 'Completed', 0], ['second', 'Completed', 0],
    ]);
    const first = Date.parse(pod.status.initContainerStatuses[0].state.terminated.finishedAt);
    const second = Date.parse(pod.status.initContainerStatuses[1].state.terminated.startedAt);
    expect(second).toBeGreaterThanOrEqual(first);
    expect(pod.status.conditions.find((c: any) => c.type === 'Initialized').status).toBe('True');
    await pollUntil(async () => (await t.kubectl(['logs', 'inits', '-c', 'main'])).stdout === 'first\nsecond\nmain\n', 'main container log', 100, 100);
    await pollUntil(async () => (await t.kubectl(['logs', 'inits', '-c', 'reader'])).stdout === 'reader-saw\n', 'reader log', 100, 100);
    expect(await t.ok(['get', 'pod', 'inits'])).toMatch(/inits\s+2\/2\s+Running\s+0/);
  }, 120_000);

  it('starts a sidecar before the main container and keeps it running', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sidecar' },
      spec: {
        volumes: [{ name: 'logs', emptyDir: {} }],
        initContainers: [
          { name: 'log-agent', image: IMAGE, restartPolicy: 'Always', command: ['sh', '-c', 'touch /logs/agent-up; exec sleep 3600'], volumeMounts: [{ name: 'logs', mountPath: '/logs' }] },
        ],
        containers: [
          { name: 'app', image: IMAGE, command: ['sh', '-c', 'test -f /logs/agent-up && echo agent-was-up; exec sleep 3600'], volumeMounts: [{ name: 'logs', mountPath: '/logs' }] },
        ],
        terminationGracePeriodSeconds: 1,
      },
    }));
    const pod = await waitPod('sidecar', 'Running with both containers', (p) =>
      p.status?.phase === 'Running' && p.status.initContainerStatuses?.[0]?.state?.running && p.status.containerStatuses?.[0]?.ready);
    expect(pod.status.initContainerStatuses[0]).toMatchObject({ name: 'log-agent', started: true, ready: true, restartCount: 0 });
    expect(Date.parse(pod.status.containerStatuses[0].state.running.startedAt)).toBeGreaterThanOrEqual(Date.parse(pod.status.initContainerStatuses[0].state.running.startedAt));
    await pollUntil(async () => (await t.kubectl(['logs', 'sidecar', '-c', 'app'])).stdout === 'agent-was-up\n', 'app saw the sidecar', 100, 100);
    expect(await t.ok(['get', 'pod', 'sidecar'])).toMatch(/sidecar\s+2\/2\s+Running\s+0/);
  }, 120_000);

  it('shows CrashLoopBackOff for a container that keeps failing, with restarts and the last exit code', async () => {
    await t.ok(['run', 'crasher', `--image=${IMAGE}`, '--', 'sh', '-c', 'echo crashing; exit 3']);
    const pod = await waitPod('crasher', 'CrashLoopBackOff', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    const cs = pod.status.containerStatuses[0];
    expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(cs.state.waiting.message).toMatch(new RegExp(`^back-off \\d+s restarting failed container=crasher pod=crasher_default\\(${pod.metadata.uid}\\)$`));
    expect(pod.status.phase).toBe('Running');
    expect(await t.ok(['get', 'pod', 'crasher'])).toMatch(/crasher\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\S+ ago\)/);
    const events = await t.ok(['get', 'events', '--field-selector', 'involvedObject.name=crasher', '-o', 'json']);
    expect(JSON.parse(events).items.map((e: any) => e.reason)).toContain('BackOff');
  }, 120_000);

  it('stops a deleted pod with SIGTERM, and with SIGKILL once the grace period is over', async () => {
    // One container leaves on TERM (its grace period is far longer than kubectl waits), one ignores it.
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'graceful' },
      spec: {
        terminationGracePeriodSeconds: 600,
        containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', 'trap "echo got-term; exit 0" TERM; while true; do sleep 0.2; done'] }],
      },
    }));
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stubborn' },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.2; done'] }],
      },
    }));
    await waitPod('graceful', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
    await waitPod('stubborn', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
    await t.ok(['delete', 'pod', 'graceful', 'stubborn', '--wait=true', '--timeout=60s']);
    for (const name of ['graceful', 'stubborn']) {
      expect((await t.kubectl(['get', 'pod', name])).stderr).toContain(`pods "${name}" not found`);
      const events = JSON.parse(await t.ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])).items;
      expect(events.map((e: any) => e.message)).toContain('Stopping container main');
    }
  }, 120_000);

  it('finishes Jobs with the real exit codes of their containers', async () => {
    await t.ok(['create', 'job', 'ok-job', `--image=${IMAGE}`, '--', 'sh', '-c', 'echo done; exit 0']);
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bad-job' },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', 'exit 7'] }] } } },
    }));
    await t.ok(['wait', '--for=condition=complete', 'job/ok-job', '--timeout=90s']);
    await t.ok(['wait', '--for=condition=failed', 'job/bad-job', '--timeout=90s']);
    const okPods = JSON.parse(await t.ok(['get', 'pods', '-l', 'job-name=ok-job', '-o', 'json'])).items;
    expect(okPods[0].status.phase).toBe('Succeeded');
    expect(okPods[0].status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await t.ok(['logs', 'job/ok-job'])).toBe('done\n');
    const badPods = JSON.parse(await t.ok(['get', 'pods', '-l', 'job-name=bad-job', '-o', 'json'])).items;
    expect(badPods[0].status.phase).toBe('Failed');
    expect(badPods[0].status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(await t.ok(['get', 'pods', '-l', 'job-name=bad-job'])).toMatch(/\s0\/1\s+Error\s+0\s/);
    expect(await t.ok(['get', 'pods', '-l', 'job-name=ok-job'])).toMatch(/\s0\/1\s+Completed\s+0\s/);
  }, 150_000);

  it('fails a restartPolicy Never pod whose init container fails, without running its main container', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad-init' },
      spec: {
        restartPolicy: 'Never',
        initContainers: [{ name: 'setup', image: IMAGE, command: ['sh', '-c', 'exit 2'] }],
        containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', 'echo should-not-run'] }],
      },
    }));
    const pod = await waitPod('bad-init', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(pod.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(pod.status.containerStatuses[0].state.waiting?.reason).toBe('PodInitializing');
    expect(await t.ok(['get', 'pod', 'bad-init'])).toMatch(/bad-init\s+0\/1\s+Init:Error\s+0/);
  }, 120_000);

  it('reports CreateContainerConfigError for a missing ConfigMap key, and runs once it exists', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'needs-config' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'main', image: IMAGE, command: ['sh', '-c', 'echo "greeting=$GREETING"; exec sleep 3600'],
          env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'greetings', key: 'hello' } } }],
        }],
      },
    }));
    const waiting = await waitPod('needs-config', 'CreateContainerConfigError', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
    expect(waiting.status.containerStatuses[0].state.waiting.message).toBe('configmap "greetings" not found');
    expect(await t.ok(['get', 'pod', 'needs-config'])).toMatch(/needs-config\s+0\/1\s+CreateContainerConfigError\s+0/);
    await t.ok(['create', 'configmap', 'greetings', '--from-literal=hello=hi-there']);
    await waitPod('needs-config', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
    await pollUntil(async () => (await t.kubectl(['logs', 'needs-config'])).stdout === 'greeting=hi-there\n', 'log with the env value', 100, 100);
  }, 120_000);

  it('gates Ready on the readiness probe and restarts a container whose liveness probe fails', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probed' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'main', image: IMAGE,
          // Ready once /tmp/ready exists; alive while /tmp/dead does not.
          command: ['sh', '-c', 'sleep 2; touch /tmp/ready; exec sleep 3600'],
          readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
          livenessProbe: { exec: { command: ['sh', '-c', '! test -f /tmp/dead'] }, periodSeconds: 1, failureThreshold: 1 },
        }],
      },
    }));
    const notReady = await waitPod('probed', 'Running but not Ready', (p) => p.status?.phase === 'Running');
    expect(notReady.status.containerStatuses[0].ready).toBe(false);
    expect(notReady.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    const ready = await waitPod('probed', 'Ready', (p) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    const firstId = ready.status.containerStatuses[0].containerID;
    await t.ok(['exec', 'probed', '--', 'touch', '/tmp/dead']);
    const restarted = await waitPod('probed', 'restarted by liveness', (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && p.status.containerStatuses[0].containerID !== firstId);
    expect(restarted.status.containerStatuses[0].lastState.terminated).toBeDefined();
    const events = JSON.parse(await t.ok(['get', 'events', '--field-selector', 'involvedObject.name=probed', '-o', 'json'])).items.map((e: any) => `${e.reason}: ${e.message}`);
    expect(events).toContain('Killing: Container main failed liveness probe, will be restarted');
    expect(events.some((e: string) => e.startsWith('Unhealthy: Liveness probe failed'))).toBe(true);
  }, 120_000);

  it('reports ErrImagePull then ImagePullBackOff for an image it cannot pull, and ErrImageNeverPull', async () => {
    // A registry address on loopback that nothing listens on: the pull fails at once.
    const missing = '127.0.0.1:1/k8ts-test/missing:1.0';
    await t.ok(['run', 'no-image', `--image=${missing}`]);
    await t.ok(['run', 'never-pull', `--image=${missing}`, '--image-pull-policy=Never']);
    const pulled = await waitPod('no-image', 'ImagePullBackOff', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    expect(pulled.status.phase).toBe('Pending');
    expect(await t.ok(['get', 'pod', 'no-image'])).toMatch(/no-image\s+0\/1\s+(ImagePullBackOff|ErrImagePull)\s+0/);
    const events = JSON.parse(await t.ok(['get', 'events', '--field-selector', 'involvedObject.name=no-image', '-o', 'json'])).items.map((e: any) => `${e.reason}: ${e.message}`);
    expect(events).toContain(`Pulling: Pulling image "${missing}"`);
    expect(events.some((e: string) => e.startsWith(`Failed: Failed to pull image "${missing}": `))).toBe(true);
    expect(events).toContain('Failed: Error: ErrImagePull');
    expect(events).toContain(`BackOff: Back-off pulling image "${missing}"`);
    const never = await waitPod('never-pull', 'ErrImageNeverPull', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull');
    expect(never.status.containerStatuses[0].state.waiting.message).toBe(`Container image "${missing}" is not present with pull policy of Never`);
    expect(await t.ok(['get', 'pod', 'never-pull'])).toMatch(/never-pull\s+0\/1\s+ErrImageNeverPull\s+0/);
  }, 120_000);

  it('reports termination messages from the file and, with FallbackToLogsOnError, from the log', async () => {
    const pod = (name: string, command: string, policy?: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', command], ...(policy ? { terminationMessagePolicy: policy } : {}) }] },
    });
    await t.ok(['apply', '-f', '-'], pod('last-words', 'printf "disk full" > /dev/termination-log; exit 4'));
    await t.ok(['apply', '-f', '-'], pod('log-words', 'echo starting; echo "cannot reach db"; exit 5', 'FallbackToLogsOnError'));
    const a = await waitPod('last-words', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(a.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 4, reason: 'Error', message: 'disk full' });
    const b = await waitPod('log-words', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(b.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 5, reason: 'Error', message: 'starting\ncannot reach db\n' });
    expect(await t.ok(['describe', 'pod', 'last-words'])).toMatch(/Message:\s+disk full/);
  }, 120_000);

  it('fails a pod that outlives its activeDeadlineSeconds', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'deadline' },
      spec: { activeDeadlineSeconds: 2, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: IMAGE, command: ['sleep', '3600'] }] },
    }));
    await waitPod('deadline', 'Running', (p) => p.status?.phase === 'Running');
    const pod = await waitPod('deadline', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(pod.status).toMatchObject({ reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    expect(pod.status.containerStatuses[0].state.terminated).toBeDefined();
    const describe = await t.ok(['describe', 'pod', 'deadline']);
    expect(describe).toMatch(/Status:\s+Failed\nReason:\s+DeadlineExceeded\nMessage:\s+Pod was active on the node longer than the specified deadline/);
  }, 120_000);

  it('runs a hostNetwork pod on the node address, and maps a hostPort to a pod', async () => {
    const [hostNetPort, hostPort] = [await freePort(), await freePort()];
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-host' },
      spec: {
        hostNetwork: true, terminationGracePeriodSeconds: 1,
        containers: [{ name: 'web', image: IMAGE, command: ['sh', '-c', `mkdir -p /www && echo on-host > /www/index.html && exec httpd -f -p 127.0.0.1:${hostNetPort} -h /www`] }],
      },
    }));
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'host-port' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'web', image: IMAGE, ports: [{ containerPort: 8080, hostPort }],
          command: ['sh', '-c', 'mkdir -p /www && echo via-host-port > /www/index.html && exec httpd -f -p 8080 -h /www'],
        }],
      },
    }));
    const onHost = await waitPod('on-host', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
    expect(onHost.status.podIP).toBe('127.0.0.1');
    expect(onHost.status.podIPs).toEqual([{ ip: '127.0.0.1' }]);
    let res: { status: number; body: string } | undefined;
    await pollUntil(async () => {
      res = await httpGet('127.0.0.1', hostNetPort, '/').catch(() => undefined);
      return res?.status === 200;
    }, 'HTTP from the hostNetwork pod', 100, 100);
    expect(res!.body).toBe('on-host\n');
    const mapped = await waitPod('host-port', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
    expect(mapped.status.podIP).not.toBe('127.0.0.1');
    await pollUntil(async () => {
      res = await httpGet(mapped.status.podIP, 8080, '/').catch(() => undefined);
      return res?.status === 200;
    }, 'HTTP from the pod IP', 100, 100);
    await pollUntil(async () => {
      res = await httpGet('127.0.0.1', hostPort, '/').catch(() => undefined);
      return res?.status === 200;
    }, 'HTTP through the hostPort', 100, 100);
    expect(res!.body).toBe('via-host-port\n');
  }, 120_000);

  it('restarts an OnFailure container until it succeeds, and completes a Job whose pod has a sidecar', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'retry' },
      spec: {
        restartPolicy: 'OnFailure', volumes: [{ name: 'state', emptyDir: {} }],
        containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', 'if [ -f /state/tried ]; then exit 0; fi; touch /state/tried; exit 1'], volumeMounts: [{ name: 'state', mountPath: '/state' }] }],
      },
    }));
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'with-sidecar' },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
            initContainers: [{ name: 'helper', image: IMAGE, restartPolicy: 'Always', command: ['sleep', '3600'] }],
            containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', 'echo work-done'] }],
          },
        },
      },
    }));
    const retry = await waitPod('retry', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    expect(retry.status.containerStatuses[0]).toMatchObject({ restartCount: 1, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(retry.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(await t.ok(['get', 'pod', 'retry'])).toMatch(/retry\s+0\/1\s+Completed\s+1 \(\S+ ago\)/);
    // The sidecar keeps running while main works, and is stopped once main is done, so the Job completes.
    await t.ok(['wait', '--for=condition=complete', 'job/with-sidecar', '--timeout=90s']);
    const jobPod = JSON.parse(await t.ok(['get', 'pods', '-l', 'job-name=with-sidecar', '-o', 'json'])).items[0];
    expect(jobPod.status.phase).toBe('Succeeded');
    expect(jobPod.status.initContainerStatuses[0].state.terminated).toBeDefined();
    expect(jobPod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  }, 150_000);

  it('reports OOMKilled for a container that exceeds its memory limit', async () => {
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hungry' },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'main', image: IMAGE, command: ['sh', '-c', 'tail /dev/zero'],
          resources: { limits: { memory: '32Mi', cpu: '500m' } },
        }],
      },
    }));
    const pod = await waitPod('hungry', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(pod.status.qosClass).toBe('Guaranteed');
    expect(await t.ok(['get', 'pod', 'hungry'])).toMatch(/hungry\s+0\/1\s+OOMKilled\s+0/);
  }, 120_000);
});
