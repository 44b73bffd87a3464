/**
 * Simulated nodes and the node-side controllers, driven with the real kubectl 1.32 against
 * `k8ts server --runtime sim --sim-nodes 3` in this process: node registration and leases, the
 * pod lifecycle (Running with an IP, Completed, Error, restarts, graceful deletion), node failure
 * (Unknown, unreachable taints, NoExecute eviction after tolerationSeconds) and recovery, the
 * default ServiceAccount, PodDisruptionBudget status, eviction and `kubectl drain`.
 * Pods name their node themselves (spec.nodeName), so no scheduler is needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    runtime: 'sim',
    simNodes: 3,
    // Short heartbeats and grace period so node failure shows within the test.
    nodeMonitorGracePeriodMs: 3000,
    simNode: { leaseRenewMs: 500, timings: { runMs: 300, terminateCapMs: 500 } },
    disable: ['scheduler'],
  });
  await t.server.controllers.synced;
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, tries = 400): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const json = async (...args: string[]): Promise<any> => JSON.parse(await ok([...args, '-o', 'json']));

function pod(name: string, node: string, o: { labels?: Record<string, string>; spec?: Record<string, unknown>; annotations?: Record<string, string>; ns?: string } = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels ?? {}, annotations: o.annotations ?? {} },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox' }], ...(o.spec ?? {}) },
  });
}

/** The STATUS column of `kubectl get pod`. */
async function podStatus(name: string): Promise<string> {
  const out = await ok(['get', 'pod', name, '--no-headers']);
  return out.trim().split(/\s+/)[2];
}

describe('simulated nodes', () => {
  it('kubectl get nodes shows three Ready nodes with their addresses, capacity and leases', async () => {
    const out = await ok(['get', 'nodes', '-o', 'wide', '--no-headers']);
    const rows = out.trim().split('\n').map((l) => l.split(/\s+/));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([['sim-node-1', 'Ready'], ['sim-node-2', 'Ready'], ['sim-node-3', 'Ready']]);
    expect(rows.map((r) => r[5])).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    const node = await json('get', 'node', 'sim-node-2');
    expect(node.status.capacity).toEqual({ cpu: '4', memory: '16Gi', pods: '110' });
    expect(node.status.allocatable).toEqual({ cpu: '4', memory: '16Gi', pods: '110' });
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'sim-node-2', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/instance-type': 'k8ts-sim',
    });
    expect(node.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.0-k8ts', containerRuntimeVersion: 'sim://0.1' });
    expect(node.status.conditions.map((c: any) => `${c.type}=${c.status}`).sort()).toEqual(['DiskPressure=False', 'MemoryPressure=False', 'PIDPressure=False', 'Ready=True']);
    expect(node.status.addresses).toEqual([{ type: 'InternalIP', address: '127.0.0.2' }, { type: 'Hostname', address: 'sim-node-2' }]);
    const leases = await ok(['-n', 'kube-node-lease', 'get', 'leases', '-o', 'custom-columns=NAME:.metadata.name,HOLDER:.spec.holderIdentity', '--no-headers']);
    expect(leases.trim().split('\n').map((l) => l.split(/\s+/))).toEqual([['sim-node-1', 'sim-node-1'], ['sim-node-2', 'sim-node-2'], ['sim-node-3', 'sim-node-3']]);
    // The lease is renewed.
    const first = (await json('-n', 'kube-node-lease', 'get', 'lease', 'sim-node-1')).spec.renewTime;
    await eventually(async () => (await json('-n', 'kube-node-lease', 'get', 'lease', 'sim-node-1')).spec.renewTime !== first, 'a lease renewal');
  });

  it('a pod bound to a node goes Running with an IP from the node\'s range', async () => {
    await ok(['apply', '-f', '-'], pod('web', 'sim-node-1', { spec: { initContainers: [{ name: 'init', image: 'busybox', command: ['true'] }] } }));
    await ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=30s']);
    const p = await json('get', 'pod', 'web');
    expect(p.status.phase).toBe('Running');
    expect(p.status.podIP).toMatch(/^10\.42\.1\.\d+$/);
    expect(p.status.hostIP).toBe('127.0.0.1');
    expect(p.status.startTime).toBeTruthy();
    expect(p.status.conditions.filter((c: any) => c.status === 'True').map((c: any) => c.type).sort())
      .toEqual(['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
    expect(p.status.containerStatuses).toMatchObject([{ name: 'main', ready: true, started: true, restartCount: 0, state: { running: {} } }]);
    expect(p.status.initContainerStatuses).toMatchObject([{ name: 'init', state: { terminated: { exitCode: 0, reason: 'Completed' } } }]);
    expect(await ok(['get', 'pod', 'web', '--no-headers'])).toMatch(/^web\s+1\/1\s+Running\s+0\s/);
  });

  it('a pod with restartPolicy Never and a command completes; the exit-code annotation makes it fail; OnFailure restarts', async () => {
    await ok(['apply', '-f', '-'], pod('done', 'sim-node-2', { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 0'] }] } }));
    await ok(['apply', '-f', '-'], pod('broken', 'sim-node-2', {
      annotations: { 'sim.k8ts.io/exit-code': '3' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['false'] }] },
    }));
    await ok(['apply', '-f', '-'], pod('flaky', 'sim-node-2', {
      annotations: { 'sim.k8ts.io/exit-code': '1' },
      spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'busybox', command: ['false'] }] },
    }));
    await eventually(async () => (await podStatus('done')) === 'Completed', 'pod done Completed');
    await eventually(async () => (await podStatus('broken')) === 'Error', 'pod broken Error');
    const done = await json('get', 'pod', 'done');
    expect(done.status.phase).toBe('Succeeded');
    expect(done.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const broken = await json('get', 'pod', 'broken');
    expect(broken.status.phase).toBe('Failed');
    expect(broken.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const flaky = await eventually(async () => {
      const p = await json('get', 'pod', 'flaky');
      return p.status.containerStatuses?.[0]?.restartCount >= 2 ? p : undefined;
    }, 'pod flaky restarted twice');
    expect(flaky.status.phase).toBe('Running');
    expect(flaky.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    await ok(['delete', 'pod', 'flaky', '--wait=false']);
  });

  it('kubectl delete pod returns once the node has finished the pod, before the grace period ends', async () => {
    await ok(['apply', '-f', '-'], pod('short-lived', 'sim-node-3'));
    await ok(['wait', '--for=condition=Ready', 'pod/short-lived', '--timeout=30s']);
    // kubectl waits for the pod to disappear; its --timeout is shorter than the 30 s grace period.
    const out = await ok(['delete', 'pod', 'short-lived', '--grace-period=30', '--timeout=20s']);
    expect(out).toBe('pod "short-lived" deleted\n');
    const r = await t.kubectl(['get', 'pod', 'short-lived']);
    expect(r.stderr).toContain('pods "short-lived" not found');
  });

  it('pods get the default NoExecute tolerations of 300 s from admission', async () => {
    const p = await json('get', 'pod', 'web');
    expect(p.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('a stopped node goes NotReady with the unreachable taints; pods go unready and are evicted after tolerationSeconds; it recovers', async () => {
    await ok(['apply', '-f', '-'], pod('patient', 'sim-node-3'));
    await ok(['apply', '-f', '-'], pod('impatient', 'sim-node-3', {
      spec: { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }] },
    }));
    await ok(['wait', '--for=condition=Ready', 'pod/patient', 'pod/impatient', '--timeout=30s']);

    await t.server.simNodes!.get('sim-node-3')!.stop();
    await eventually(async () => /^sim-node-3\s+NotReady\s/m.test(await ok(['get', 'nodes', '--no-headers'])), 'sim-node-3 NotReady');
    const node = await json('get', 'node', 'sim-node-3');
    const ready = node.status.conditions.find((c: any) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const taints = await eventually(async () => {
      const n = await json('get', 'node', 'sim-node-3');
      return n.spec.taints?.length === 2 ? n.spec.taints : undefined;
    }, 'unreachable taints');
    expect(taints.map((x: any) => `${x.key}:${x.effect}`).sort()).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(await ok(['get', 'nodes', 'sim-node-1', 'sim-node-2', '--no-headers'])).not.toContain('NotReady');

    // The pod tolerating the taint for 1 s is evicted (Terminating: its node is gone); the one with the default 300 s stays.
    const evicted = await eventually(async () => {
      const p = await json('get', 'pod', 'impatient');
      return p.metadata.deletionTimestamp ? p : undefined;
    }, 'impatient evicted');
    expect(evicted.status.conditions.find((c: any) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    expect(await ok(['get', 'pod', 'impatient', '--no-headers'])).toMatch(/\sTerminating\s/);
    const patient = await eventually(async () => {
      const p = await json('get', 'pod', 'patient');
      return p.status.conditions.find((c: any) => c.type === 'Ready')?.status === 'False' ? p : undefined;
    }, 'patient unready');
    expect(patient.metadata.deletionTimestamp).toBeUndefined();

    // The node comes back: Ready, no taints, and it finishes the eviction.
    await t.server.simNodes!.get('sim-node-3')!.start();
    await eventually(async () => /^sim-node-3\s+Ready\s/m.test(await ok(['get', 'nodes', '--no-headers'])), 'sim-node-3 Ready again');
    await eventually(async () => !(await json('get', 'node', 'sim-node-3')).spec.taints, 'taints removed');
    await eventually(async () => (await t.kubectl(['get', 'pod', 'impatient'])).code !== 0, 'impatient gone');
    expect((await json('get', 'pod', 'patient')).metadata.deletionTimestamp).toBeUndefined();
  });

  it('every namespace gets a default ServiceAccount, recreated when deleted', async () => {
    await ok(['create', 'namespace', 'team-a']);
    await eventually(async () => (await t.kubectl(['-n', 'team-a', 'get', 'serviceaccount', 'default'])).code === 0, 'default ServiceAccount');
    const uid = (await json('-n', 'team-a', 'get', 'sa', 'default')).metadata.uid;
    await ok(['-n', 'team-a', 'delete', 'sa', 'default']);
    await eventually(async () => {
      const r = await t.kubectl(['-n', 'team-a', 'get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 && r.stdout !== uid;
    }, 'default ServiceAccount recreated');
  });

  it('computes PodDisruptionBudget status from matching pods (integer and percentage)', async () => {
    await ok(['create', 'namespace', 'budget']);
    for (const [i, node] of [[1, 'sim-node-1'], [2, 'sim-node-2'], [3, 'sim-node-3']] as const) {
      await ok(['apply', '-f', '-'], pod(`b${i}`, node, { ns: 'budget', labels: { app: 'b' } }));
    }
    await ok(['-n', 'budget', 'wait', '--for=condition=Ready', 'pod', '-l', 'app=b', '--timeout=30s']);
    await ok(['-n', 'budget', 'create', 'pdb', 'b-min', '--selector=app=b', '--min-available=2']);
    await ok(['-n', 'budget', 'create', 'pdb', 'b-max', '--selector=app=b', '--max-unavailable=50%']);
    const st = async (name: string): Promise<any> => eventually(async () => {
      const p = await json('-n', 'budget', 'get', 'pdb', name);
      return p.status?.observedGeneration === p.metadata.generation ? p.status : undefined;
    }, `pdb ${name} status`);
    expect(await st('b-min')).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 });
    expect(await st('b-max')).toMatchObject({ currentHealthy: 3, desiredHealthy: 1, disruptionsAllowed: 2, expectedPods: 3 });
    expect((await st('b-min')).conditions).toMatchObject([{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }]);
    expect(await ok(['-n', 'budget', 'get', 'pdb', 'b-min', '--no-headers'])).toMatch(/^b-min\s+2\s+N\/A\s+1\s/);
    // One pod going away lowers the count; a change of spec is observed.
    await ok(['-n', 'budget', 'delete', 'pod', 'b3']);
    await eventually(async () => (await st('b-min')).disruptionsAllowed === 0, 'b-min allows none');
    expect((await st('b-min')).conditions).toMatchObject([{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }]);
    await ok(['-n', 'budget', 'patch', 'pdb', 'b-min', '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
    await eventually(async () => {
      const s = await st('b-min');
      return s.observedGeneration === 2 && s.disruptionsAllowed === 1;
    }, 'b-min generation 2');
    await ok(['delete', 'namespace', 'budget', '--wait=false']);
  });

  it('kubectl drain evicts through the eviction API and is held back by a PodDisruptionBudget', async () => {
    await ok(['create', 'namespace', 'drain']);
    await ok(['apply', '-f', '-'], pod('d1', 'sim-node-2', { ns: 'drain', labels: { app: 'd' } }));
    await ok(['apply', '-f', '-'], pod('d2', 'sim-node-2', { ns: 'drain', labels: { app: 'd' } }));
    await ok(['apply', '-f', '-'], pod('d3', 'sim-node-1', { ns: 'drain', labels: { app: 'd' } }));
    await ok(['-n', 'drain', 'wait', '--for=condition=Ready', 'pod', '-l', 'app=d', '--timeout=30s']);
    await ok(['-n', 'drain', 'create', 'pdb', 'd', '--selector=app=d', '--min-available=2']);
    await eventually(async () => (await json('-n', 'drain', 'get', 'pdb', 'd')).status?.disruptionsAllowed === 1, 'pdb d allows one');

    // Only one of the two pods on the node may go: drain gives up when its timeout runs out.
    const blocked = await t.kubectl(['drain', 'sim-node-2', '--ignore-daemonsets', '--force', '--timeout=7s'], { timeoutMs: 60_000 });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout).toContain('node/sim-node-2 cordoned');
    expect(blocked.stdout + blocked.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    const left = (await ok(['-n', 'drain', 'get', 'pods', '-o', 'name'])).trim().split('\n').sort();
    expect(left).toHaveLength(2);
    expect(left).toContain('pod/d3');
    expect(await ok(['get', 'node', 'sim-node-2', '--no-headers'])).toMatch(/Ready,SchedulingDisabled/);

    // With room in the budget the drain completes.
    await ok(['-n', 'drain', 'patch', 'pdb', 'd', '--type=merge', '-p', '{"spec":{"minAvailable":0}}']);
    await eventually(async () => (await json('-n', 'drain', 'get', 'pdb', 'd')).status?.disruptionsAllowed === 2, 'pdb d allows two');
    const drained = await t.kubectl(['drain', 'sim-node-2', '--ignore-daemonsets', '--force', '--timeout=30s'], { timeoutMs: 60_000 });
    expect(drained.stderr).not.toContain('error');
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain('node/sim-node-2 drained');
    expect((await ok(['-n', 'drain', 'get', 'pods', '-o', 'name'])).trim()).toBe('pod/d3');
    await ok(['uncordon', 'sim-node-2']);
  }, 120_000);
});
