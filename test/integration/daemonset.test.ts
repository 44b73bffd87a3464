/**
 * The DaemonSet controller driven with the real kubectl 1.32 against an in-process server, with
 * Node objects made by the test. The scheduler runs but no kubelet does: a stand-in also binds each
 * daemon pod to the node its `matchFields metadata.name In [node]` affinity names (whichever binds
 * first wins; the other's binding fails and is ignored), reports it Running and Ready (the fake
 * kubelet) and finishes graceful deletions.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../src/api/resources.js';
import { KubeClient, type KObject } from '../../src/client/index.js';
import { runPods } from '../helpers/fake-kubelet.js';
import { pollUntil } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const PODS = findResource('', 'v1', 'pods')!;

let t: TestServer;
let client: KubeClient;

beforeAll(async () => {
  t = await startTestServer({ disable: ['nodelifecycle'] });
  await t.server.controllers.synced;
  client = await KubeClient.fromKubeconfig(t.kubeconfig);
  for (const n of ['node-1', 'node-2', 'node-3']) await addNode(n);
});
afterAll(async () => {
  client?.close();
  await t?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => t.ok(args, input);

const eventually = (check: () => Promise<boolean>, what: string): Promise<void> => pollUntil(check, what, 600);

async function addNode(name: string, extra: KObject = {}): Promise<void> {
  await ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
    spec: extra.spec ?? {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  }));
}

const affinityNode = (pod: KObject): string | undefined =>
  pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];

/** The scheduler's part for daemon pods: bind each to the node its affinity names; then the fake kubelet runs them. */
async function runDaemonPods(ns: string, labelSelector: string): Promise<void> {
  const list = await client.list(PODS, ns, { labelSelector });
  for (const pod of list.items as KObject[]) {
    if (pod.spec.nodeName || pod.metadata.deletionTimestamp) continue;
    const node = affinityNode(pod);
    if (!node) continue;
    await client.request('POST', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/binding`, {
      apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name }, target: { apiVersion: 'v1', kind: 'Node', name: node },
    }).catch(() => undefined);
  }
  await runPods(client, ns, { labelSelector });
}

async function finishTerminating(ns: string): Promise<void> {
  for (const p of (await client.list(PODS, ns)).items as KObject[]) {
    if (p.metadata.deletionTimestamp) await client.delete(PODS, ns, p.metadata.name, { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
}

function kubeletLoop(ns: string, labelSelector: string, opts: { finish?: boolean } = {}): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await runDaemonPods(ns, labelSelector).catch(() => undefined);
      if (opts.finish !== false) await finishTerminating(ns).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { async stop() { stopped = true; await loop; } };
}

/**
 * node name → images of the live (not terminating) pods pinned to it, keys in node-name order
 * (a list comes back in pod-name order, and pod names are random, so the order is fixed here).
 */
async function podsByNode(ns: string, selector: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const p of (await client.list(PODS, ns, { labelSelector: selector })).items as KObject[]) {
    if (p.metadata.deletionTimestamp) continue;
    (out[affinityNode(p) ?? p.spec.nodeName] ??= []).push(p.spec.containers[0].image);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const dsStatus = async (ns: string, name: string): Promise<KObject> => JSON.parse(await ok(['-n', ns, 'get', 'ds', name, '-o', 'json'])).status ?? {};

describe('DaemonSet', () => {
  it('runs one seed DaemonSet pod per node, pinned by node affinity, with the daemon tolerations', async () => {
    await ok(['apply', '-f', '-'], await readFile('test/fixtures/seeds/01-namespace.yaml', 'utf8'));
    await ok(['apply', '-f', '-'], await readFile('test/fixtures/seeds/09-daemonset.yaml', 'utf8'));
    const ns = 'seed-demo';
    await eventually(async () => Object.keys(await podsByNode(ns, 'name=log-agent')).length === 3, 'three pods');
    expect(await podsByNode(ns, 'name=log-agent')).toEqual({ 'node-1': ['busybox'], 'node-2': ['busybox'], 'node-3': ['busybox'] });
    const pod = (await client.list(PODS, ns, { labelSelector: 'name=log-agent' })).items[0] as KObject;
    expect(pod.metadata.name).toMatch(/^log-agent-[a-z0-9]{5}$/);
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [affinityNode(pod)] }] }]);
    const tol = pod.spec.tolerations.map((x: KObject) => `${x.key}:${x.effect}`);
    expect(tol).toEqual(expect.arrayContaining([
      'node-role.kubernetes.io/control-plane:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]));
    expect(tol).not.toContain('node.kubernetes.io/network-unavailable:NoSchedule');
    expect(pod.spec.tolerations.find((x: KObject) => x.key === 'node.kubernetes.io/not-ready').tolerationSeconds).toBeUndefined();
    expect(pod.metadata.ownerReferences).toMatchObject([{ kind: 'DaemonSet', name: 'log-agent', controller: true }]);
    const hash = pod.metadata.labels['controller-revision-hash'];
    const rev = JSON.parse(await ok(['-n', ns, 'get', 'controllerrevision', `log-agent-${hash}`, '-o', 'json']));
    expect(rev).toMatchObject({ revision: 1, metadata: { labels: { name: 'log-agent', 'controller-revision-hash': hash } } });

    expect(await dsStatus(ns, 'log-agent')).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 0, numberMisscheduled: 0, updatedNumberScheduled: 3, numberUnavailable: 3 });
    await runDaemonPods(ns, 'name=log-agent');
    const status = await t.kubectl(['-n', ns, 'rollout', 'status', 'ds/log-agent', '--timeout=30s'], { timeoutMs: 40_000 });
    expect(status).toMatchObject({ code: 0, stdout: 'daemon set "log-agent" successfully rolled out\n' });
    expect(await dsStatus(ns, 'log-agent')).toEqual({
      desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, numberMisscheduled: 0, updatedNumberScheduled: 3, observedGeneration: 1,
    });
    const wide = await ok(['-n', ns, 'get', 'ds', 'log-agent']);
    expect(wide).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nlog-agent\s+3\s+3\s+3\s+3\s+3\s+<none>/);
  });

  it('adds a pod when a node joins and removes it when the node stops being eligible', async () => {
    const ns = 'seed-demo';
    await addNode('node-4');
    await eventually(async () => (await podsByNode(ns, 'name=log-agent'))['node-4']?.length === 1, 'a pod on the new node');
    // A NoSchedule taint keeps the running pod; a NoExecute one the pods do not tolerate sends it away.
    await ok(['taint', 'node', 'node-4', 'dedicated=infra:NoSchedule']);
    await eventually(async () => (await dsStatus(ns, 'log-agent')).numberMisscheduled === 1, 'the pod to count as misscheduled');
    expect((await podsByNode(ns, 'name=log-agent'))['node-4']).toEqual(['busybox']);
    await ok(['taint', 'node', 'node-4', 'dedicated=infra:NoExecute']);
    await eventually(async () => (await podsByNode(ns, 'name=log-agent'))['node-4'] === undefined, 'the pod to leave the tainted node');
    await eventually(async () => (await dsStatus(ns, 'log-agent')).desiredNumberScheduled === 3, 'status without the node');
    await finishTerminating(ns);
  });

  it('honours nodeSelector and tolerations', async () => {
    await addNode('node-5', { labels: { disk: 'ssd' }, spec: { taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }] } });
    await ok(['label', 'node', 'node-1', 'disk=ssd']);
    const ds = (name: string, spec: KObject): string => JSON.stringify({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } } },
    });
    await ok(['apply', '-f', '-'], ds('ssd-only', { nodeSelector: { disk: 'ssd' } }));
    await ok(['apply', '-f', '-'], ds('gpu-ok', { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'gpu', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }] }));
    await eventually(async () => Object.keys(await podsByNode('default', 'app=gpu-ok')).sort().join() === 'node-1,node-5', 'the tolerating set on both ssd nodes');
    await eventually(async () => (await dsStatus('default', 'ssd-only')).desiredNumberScheduled === 1, 'the status of the other');
    expect(Object.keys(await podsByNode('default', 'app=ssd-only'))).toEqual(['node-1']);
    // A label change moves the pods: node-2 gains the label, node-1 loses it.
    await ok(['label', 'node', 'node-2', 'disk=ssd']);
    await ok(['label', 'node', 'node-1', 'disk-']);
    await eventually(async () => Object.keys(await podsByNode('default', 'app=ssd-only')).join() === 'node-2', 'the pod to follow the label');
  });

  it('rolling update replaces pods within maxUnavailable; rollout status and history work', async () => {
    const ns = 'seed-demo';
    const kubelet = kubeletLoop(ns, 'name=log-agent');
    try {
      await ok(['-n', ns, 'set', 'image', 'ds/log-agent', 'agent=busybox:2']);
      const status = await t.kubectl(['-n', ns, 'rollout', 'status', 'ds/log-agent', '--timeout=60s'], { timeoutMs: 70_000 });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('daemon set "log-agent" successfully rolled out');
      expect(await podsByNode(ns, 'name=log-agent')).toEqual({ 'node-1': ['busybox:2'], 'node-2': ['busybox:2'], 'node-3': ['busybox:2'] });
      expect(await ok(['-n', ns, 'rollout', 'history', 'ds/log-agent'])).toBe('daemonset.apps/log-agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
      expect(await ok(['-n', ns, 'rollout', 'undo', 'ds/log-agent'])).toBe('daemonset.apps/log-agent rolled back\n');
      await eventually(async () => JSON.stringify(await podsByNode(ns, 'name=log-agent')) === JSON.stringify({ 'node-1': ['busybox'], 'node-2': ['busybox'], 'node-3': ['busybox'] }), 'the rollback');
      expect(await ok(['-n', ns, 'rollout', 'history', 'ds/log-agent'])).toBe('daemonset.apps/log-agent \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');
    } finally {
      await kubelet.stop();
    }
  });

  it('maxUnavailable 1 takes down one old pod at a time; maxSurge starts the new pod before the old one goes', async () => {
    const ns = 'default';
    const make = (name: string, rollingUpdate: KObject, image: string): string => JSON.stringify({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name },
      spec: {
        selector: { matchLabels: { app: name } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      },
    });
    // The kubelet runs new pods but leaves terminating ones: each step can be seen.
    await ok(['apply', '-f', '-'], make('one', { maxUnavailable: 1 }, 'busybox'));
    await ok(['apply', '-f', '-'], make('surge', { maxUnavailable: 0, maxSurge: 1 }, 'busybox'));
    await eventually(async () => (await dsStatus(ns, 'one')).desiredNumberScheduled === 3 && (await dsStatus(ns, 'surge')).desiredNumberScheduled === 3, 'both sets placed');
    await runDaemonPods(ns, 'app in (one,surge)');
    await eventually(async () => (await dsStatus(ns, 'one')).numberAvailable === 3 && (await dsStatus(ns, 'surge')).numberAvailable === 3, 'both available');

    await ok(['apply', '-f', '-'], make('one', { maxUnavailable: 1 }, 'busybox:2'));
    await eventually(async () => (await client.list(PODS, ns, { labelSelector: 'app=one' })).items.some((p: KObject) => p.metadata.deletionTimestamp), 'an old pod to be deleted');
    const deleting = (await client.list(PODS, ns, { labelSelector: 'app=one' })).items.filter((p: KObject) => p.metadata.deletionTimestamp);
    expect(deleting).toHaveLength(1);

    await ok(['apply', '-f', '-'], make('surge', { maxUnavailable: 0, maxSurge: 1 }, 'busybox:2'));
    await eventually(async () => (await client.list(PODS, ns, { labelSelector: 'app=surge' })).items.length === 4, 'one surge pod');
    const surge = await podsByNode(ns, 'app=surge');
    const doubled = Object.entries(surge).filter(([, imgs]) => imgs.length === 2);
    expect(doubled).toHaveLength(1);
    expect(doubled[0][1].sort()).toEqual(['busybox', 'busybox:2']);

    const kubelet = kubeletLoop(ns, 'app in (one,surge)');
    try {
      for (const name of ['one', 'surge']) {
        const r = await t.kubectl(['rollout', 'status', `ds/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
        expect(r.stdout).toContain(`daemon set "${name}" successfully rolled out`);
      }
      expect(await podsByNode(ns, 'app=surge')).toEqual({ 'node-1': ['busybox:2'], 'node-2': ['busybox:2'], 'node-3': ['busybox:2'] });
    } finally {
      await kubelet.stop();
    }
  });
});
