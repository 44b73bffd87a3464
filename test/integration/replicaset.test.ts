/**
 * The ReplicaSet and ReplicationController controllers driven by the real kubectl against an
 * in-process server. No kubelet runs: the fake one (runPods) binds pods and reports them Running
 * and Ready when a test asks it to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../src/api/resources.js';
import { KubeClient, type KObject } from '../../src/client/index.js';
import { runPods } from '../helpers/fake-kubelet.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const podsRes = findResource('', 'v1', 'pods')!;
let t: TestServer;
let client: KubeClient;

beforeAll(async () => {
  t = await startTestServer({ disable: ['statefulset', 'daemonset', 'scheduler'] });
  await t.server.controllers.synced;
  client = await KubeClient.fromKubeconfig(t.kubeconfig);
});
afterAll(async () => {
  client?.close();
  await t?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 400; i++) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const json = async (args: string[]): Promise<KObject> => JSON.parse(await ok([...args, '-o', 'json']));
const activePods = async (ns: string, selector: string): Promise<KObject[]> =>
  ((await client.list(podsRes, ns, { labelSelector: selector })).items as KObject[]).filter((p) => !p.metadata.deletionTimestamp);

function replicaSet(name: string, replicas: number, labels: Record<string, string>, extra: KObject = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: labels }, ...extra,
      template: { metadata: { labels, annotations: { note: 'from-template' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  });
}

describe('replicasets', () => {
  it('creates pods from the template with generateName and a controller ownerReference, and reports status', async () => {
    const ns = 'rs-basic';
    await ok(['create', 'ns', ns]);
    await ok(['-n', ns, 'apply', '-f', '-'], replicaSet('frontend', 3, { tier: 'frontend' }));
    const pods = await eventually(async () => {
      const p = await activePods(ns, 'tier=frontend');
      return p.length === 3 ? p : undefined;
    }, '3 pods');
    const rs = await json(['-n', ns, 'get', 'rs', 'frontend']);
    for (const p of pods) {
      expect(p.metadata.generateName).toBe('frontend-');
      expect(p.metadata.name).toMatch(/^frontend-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.labels).toEqual({ tier: 'frontend' });
      expect(p.metadata.annotations).toEqual({ note: 'from-template' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await eventually(async () => (await json(['-n', ns, 'get', 'rs', 'frontend'])).status.replicas === 3, 'status.replicas');
    expect((await json(['-n', ns, 'get', 'rs', 'frontend'])).status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
    await runPods(client, ns);
    const status = await eventually(async () => {
      const s = (await json(['-n', ns, 'get', 'rs', 'frontend'])).status;
      return s.availableReplicas === 3 ? s : undefined;
    }, 'availableReplicas 3');
    expect(status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(await ok(['-n', ns, 'get', 'rs', 'frontend', '--no-headers'])).toMatch(/^frontend\s+3\s+3\s+3\s+/);
    const events = ((await json(['-n', ns, 'get', 'events'])).items as KObject[]).filter((e) => e.reason === 'SuccessfulCreate');
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ type: 'Normal', involvedObject: { kind: 'ReplicaSet', name: 'frontend' }, source: { component: 'replicaset-controller' } });
    expect(events.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
  });

  it('adopts a matching orphan, releases a pod whose labels stop matching, and replaces it', async () => {
    const ns = 'rs-adopt';
    await ok(['create', 'ns', ns]);
    await ok(['-n', ns, 'run', 'orphan', '--image=nginx', '--labels=app=adopt']);
    await ok(['-n', ns, 'apply', '-f', '-'], replicaSet('adopter', 2, { app: 'adopt' }));
    await eventually(async () => (await activePods(ns, 'app=adopt')).length === 2, '2 pods');
    const orphan = await json(['-n', ns, 'get', 'pod', 'orphan']);
    expect(orphan.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicaSet', name: 'adopter', controller: true, blockOwnerDeletion: true })]);
    // stays at 2: only one pod was created
    await new Promise((r) => setTimeout(r, 300));
    expect(await activePods(ns, 'app=adopt')).toHaveLength(2);

    await ok(['-n', ns, 'label', 'pod', 'orphan', 'app=gone', '--overwrite']);
    await eventually(async () => !(await json(['-n', ns, 'get', 'pod', 'orphan'])).metadata.ownerReferences, 'the release');
    await eventually(async () => (await activePods(ns, 'app=adopt')).length === 2, 'a replacement');
    expect((await activePods(ns, 'app=adopt')).some((p) => p.metadata.name === 'orphan')).toBe(false);
  });

  it('scaling down deletes the unscheduled pod before the running ones', async () => {
    const ns = 'rs-rank';
    await ok(['create', 'ns', ns]);
    await ok(['-n', ns, 'apply', '-f', '-'], replicaSet('ranked', 2, { app: 'ranked' }));
    await eventually(async () => (await activePods(ns, 'app=ranked')).length === 2, '2 pods');
    await runPods(client, ns);
    const running = (await activePods(ns, 'app=ranked')).map((p) => p.metadata.name).sort();
    await ok(['-n', ns, 'scale', 'rs/ranked', '--replicas=3']);
    await eventually(async () => (await activePods(ns, 'app=ranked')).length === 3, '3 pods');
    await eventually(async () => (await json(['-n', ns, 'get', 'rs', 'ranked'])).status.replicas === 3, 'status 3');
    await ok(['-n', ns, 'scale', 'rs/ranked', '--replicas=2']);
    await eventually(async () => (await activePods(ns, 'app=ranked')).length === 2, '2 pods again');
    expect((await activePods(ns, 'app=ranked')).map((p) => p.metadata.name).sort()).toEqual(running);
  });

  it('counts pods available only after minReadySeconds', async () => {
    const ns = 'rs-minready';
    await ok(['create', 'ns', ns]);
    await ok(['-n', ns, 'apply', '-f', '-'], replicaSet('patient', 2, { app: 'patient' }, { minReadySeconds: 2 }));
    await eventually(async () => (await activePods(ns, 'app=patient')).length === 2, '2 pods');
    await runPods(client, ns);
    const ready = await eventually(async () => {
      const s = (await json(['-n', ns, 'get', 'rs', 'patient'])).status;
      return s.readyReplicas === 2 ? s : undefined;
    }, 'readyReplicas 2');
    expect(ready.availableReplicas ?? 0).toBe(0);
    await eventually(async () => (await json(['-n', ns, 'get', 'rs', 'patient'])).status.availableReplicas === 2, 'availableReplicas 2 after minReadySeconds');
  });

  it('a ReplicationController keeps its pods as well', async () => {
    const ns = 'rc-basic';
    await ok(['create', 'ns', ns]);
    await ok(['-n', ns, 'apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }));
    const pods = await eventually(async () => {
      const p = await activePods(ns, 'app=legacy');
      return p.length === 2 ? p : undefined;
    }, '2 pods');
    expect(pods[0].metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', controller: true })]);
    await ok(['-n', ns, 'scale', 'rc/legacy', '--replicas=3']);
    await eventually(async () => (await activePods(ns, 'app=legacy')).length === 3, '3 pods');
    await runPods(client, ns);
    await eventually(async () => (await json(['-n', ns, 'get', 'rc', 'legacy'])).status.readyReplicas === 3, 'readyReplicas 3');
    expect(await ok(['-n', ns, 'get', 'rc', 'legacy', '--no-headers'])).toMatch(/^legacy\s+3\s+3\s+3\s+/);
    await ok(['-n', ns, 'delete', 'rc', 'legacy']);
    await eventually(async () => (await client.list(podsRes, ns)).items.every((p: KObject) => p.metadata.deletionTimestamp), 'the pods to be deleted');
  });
});
