/**
 * The StatefulSet controller driven with the real kubectl 1.32 against an in-process server.
 * No scheduler or kubelet runs here: the fake kubelet binds pods and reports them Running and
 * Ready when a test says so, and finishes the graceful deletion of terminating pods.
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
  t = await startTestServer();
  await t.server.controllers.synced;
  client = await KubeClient.fromKubeconfig(t.kubeconfig);
});
afterAll(async () => {
  client?.close();
  await t?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => t.ok(args, input);

const eventually = (check: () => Promise<boolean>, what: string): Promise<void> => pollUntil(check, what, 600);

const jsonpath = (ns: string, what: string, path: string): Promise<string> => ok(['-n', ns, 'get', what, '-o', `jsonpath=${path}`]);
const podNames = async (ns: string, selector: string): Promise<string[]> =>
  (await ok(['-n', ns, 'get', 'pods', '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean).sort();

/** What a kubelet would do with terminating pods: finish their deletion. */
async function finishTerminating(ns: string): Promise<void> {
  const list = await client.list(PODS, ns);
  for (const p of list.items as KObject[]) {
    if (!p.metadata.deletionTimestamp) continue;
    await client.delete(PODS, ns, p.metadata.name, { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
}

/** A kubelet stand-in running in the background: every pending pod runs, every terminating pod goes. */
function kubeletLoop(ns: string, labelSelector: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await runPods(client, ns, { labelSelector }).catch(() => 0);
      await finishTerminating(ns).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { async stop() { stopped = true; await loop; } };
}

const sts = (name: string, extra: KObject = {}, image = 'nginx:1.0'): string => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name },
  spec: {
    serviceName: name, replicas: 3, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image }] } },
    ...extra,
  },
});

describe('StatefulSet', () => {
  it('creates the seed StatefulSet pods one at a time, in order, each with its claim', async () => {
    await ok(['apply', '-f', '-'], await readFile('test/fixtures/seeds/01-namespace.yaml', 'utf8'));
    await ok(['apply', '-f', '-'], await readFile('test/fixtures/seeds/05-statefulset.yaml', 'utf8'));
    const ns = 'seed-demo';
    await eventually(async () => (await jsonpath(ns, 'sts/example-statefulset', '{.status.replicas}')) === '1', 'the first pod');
    // OrderedReady: the second pod waits for the first to be Running and Ready.
    expect(await podNames(ns, 'app=stateful')).toEqual(['example-statefulset-0']);
    const pod0 = JSON.parse(await ok(['-n', ns, 'get', 'pod', 'example-statefulset-0', '-o', 'json']));
    expect(pod0.spec.hostname).toBe('example-statefulset-0');
    expect(pod0.spec.subdomain).toBe('nginx-headless');
    expect(pod0.metadata.labels).toMatchObject({
      app: 'stateful', 'statefulset.kubernetes.io/pod-name': 'example-statefulset-0', 'apps.kubernetes.io/pod-index': '0',
    });
    const updateRevision = await jsonpath(ns, 'sts/example-statefulset', '{.status.updateRevision}');
    expect(updateRevision).toMatch(/^example-statefulset-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(pod0.metadata.labels['controller-revision-hash']).toBe(updateRevision);
    expect(pod0.metadata.ownerReferences).toMatchObject([{ kind: 'StatefulSet', name: 'example-statefulset', controller: true }]);
    expect(pod0.spec.volumes).toContainEqual({ name: 'sc-storage', persistentVolumeClaim: { claimName: 'sc-storage-example-statefulset-0' } });
    const pvc0 = JSON.parse(await ok(['-n', ns, 'get', 'pvc', 'sc-storage-example-statefulset-0', '-o', 'json']));
    expect(pvc0.metadata.labels).toEqual({ app: 'stateful' });
    expect(pvc0.spec.resources.requests.storage).toBe('1Gi');

    await runPods(client, ns, { labelSelector: 'app=stateful' });
    await eventually(async () => (await podNames(ns, 'app=stateful')).length === 2, 'the second pod');
    expect(await ok(['-n', ns, 'get', 'pvc', '-o', 'name'])).toBe(
      'persistentvolumeclaim/sc-storage-example-statefulset-0\npersistentvolumeclaim/sc-storage-example-statefulset-1\n');
    await runPods(client, ns, { labelSelector: 'app=stateful' });
    const status = await t.kubectl(['-n', ns, 'rollout', 'status', 'sts/example-statefulset', '--timeout=30s'], { timeoutMs: 40_000 });
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain('partitioned roll out complete: 2 new pods have been updated...');
    const st = JSON.parse(await ok(['-n', ns, 'get', 'sts', 'example-statefulset', '-o', 'json'])).status;
    expect(st).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, availableReplicas: 2, currentRevision: updateRevision, updateRevision, collisionCount: 0 });
    expect(st.observedGeneration).toBe(1);

    // The revision: upstream's patch of the template.
    const rev = JSON.parse(await ok(['-n', ns, 'get', 'controllerrevision', updateRevision, '-o', 'json']));
    expect(rev.revision).toBe(1);
    expect(rev.data.spec.template.$patch).toBe('replace');
    expect(rev.data.spec.template.metadata).toEqual({ creationTimestamp: null, labels: { app: 'stateful' } });
  });

  it('scales down from the highest ordinal, keeping the claims', async () => {
    const ns = 'seed-demo';
    await ok(['-n', ns, 'scale', 'sts/example-statefulset', '--replicas=1']);
    await eventually(async () => (await jsonpath(ns, 'pod/example-statefulset-1', '{.metadata.deletionTimestamp}')) !== '', 'the top pod to be deleted');
    expect(await jsonpath(ns, 'pod/example-statefulset-0', '{.metadata.deletionTimestamp}')).toBe('');
    await finishTerminating(ns);
    await eventually(async () => (await podNames(ns, 'app=stateful')).join() === 'example-statefulset-0', 'one pod left');
    await eventually(async () => (await jsonpath(ns, 'sts/example-statefulset', '{.status.replicas}')) === '1', 'status');
    expect(await ok(['-n', ns, 'get', 'pvc', '-o', 'name'])).toContain('sc-storage-example-statefulset-1');
  });

  it('Parallel creates every pod at once and deletes all the condemned at once', async () => {
    await ok(['apply', '-f', '-'], sts('par', { podManagementPolicy: 'Parallel', replicas: 3 }));
    await eventually(async () => (await podNames('default', 'app=par')).length === 3, 'three pods without waiting');
    await ok(['scale', 'sts/par', '--replicas=0']);
    await eventually(async () => (await podNames('default', 'app=par')).length === 0, 'all pods gone');
  });

  it('rolls an update from the highest ordinal down to the partition, then past it', async () => {
    const kubelet = kubeletLoop('default', 'app=web');
    try {
      await ok(['apply', '-f', '-'], sts('web', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
      await eventually(async () => (await jsonpath('default', 'sts/web', '{.status.readyReplicas}')) === '3', 'three ready pods');
      const rev1 = await jsonpath('default', 'sts/web', '{.status.currentRevision}');
      await ok(['set', 'image', 'sts/web', 'c=nginx:2.0']);
      const status = await t.kubectl(['rollout', 'status', 'sts/web', '--timeout=60s'], { timeoutMs: 70_000 });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('partitioned roll out complete: 2 new pods have been updated...');
      const image = (n: number) => jsonpath('default', `pod/web-${n}`, '{.spec.containers[0].image}');
      expect([await image(0), await image(1), await image(2)]).toEqual(['nginx:1.0', 'nginx:2.0', 'nginx:2.0']);
      const st = JSON.parse(await ok(['get', 'sts', 'web', '-o', 'json'])).status;
      expect(st.currentRevision).toBe(rev1);
      expect(st.updateRevision).not.toBe(rev1);
      expect(st).toMatchObject({ currentReplicas: 1, updatedReplicas: 2 });

      await ok(['patch', 'sts/web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
      await eventually(async () => (await image(0).catch(() => '')) === 'nginx:2.0' && (await jsonpath('default', 'sts/web', '{.status.currentRevision}')) === st.updateRevision, 'the whole set updated');
      expect(await jsonpath('default', 'sts/web', '{.status.currentReplicas}')).toBe('3');

      // History and rollback through kubectl (it reads the ControllerRevisions and patches the template).
      const history = await ok(['rollout', 'history', 'sts/web']);
      expect(history).toBe('statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
      const rev2Detail = await ok(['rollout', 'history', 'sts/web', '--revision=1']);
      expect(rev2Detail).toContain('Image:\tnginx:1.0');
      expect(await ok(['rollout', 'undo', 'sts/web'])).toBe('statefulset.apps/web rolled back\n');
      await eventually(async () => (await image(0).catch(() => '')) === 'nginx:1.0' && (await jsonpath('default', 'sts/web', '{.status.updatedReplicas}')) === '3', 'the rollback');
      expect(await jsonpath('default', 'sts/web', '{.status.updateRevision}')).toBe(rev1);
      expect(await ok(['rollout', 'history', 'sts/web'])).toBe('statefulset.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');
      expect(await ok(['rollout', 'undo', 'sts/web', '--to-revision=3'])).toBe('statefulset.apps/web skipped rollback (current template already matches revision 3)\n');
    } finally {
      await kubelet.stop();
    }
  });

  it('OnDelete replaces a pod with the new template only when it is deleted', async () => {
    const kubelet = kubeletLoop('default', 'app=od');
    try {
      await ok(['apply', '-f', '-'], sts('od', { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
      await eventually(async () => (await jsonpath('default', 'sts/od', '{.status.readyReplicas}')) === '2', 'two ready pods');
      await ok(['set', 'image', 'sts/od', 'c=nginx:2.0']);
      await eventually(async () => (await jsonpath('default', 'sts/od', '{.status.observedGeneration}')) === '2', 'the change to be observed');
      const image = (n: number) => jsonpath('default', `pod/od-${n}`, '{.spec.containers[0].image}');
      expect([await image(0), await image(1)]).toEqual(['nginx:1.0', 'nginx:1.0']);
      await ok(['delete', 'pod', 'od-1']);
      await eventually(async () => (await image(1).catch(() => '')) === 'nginx:2.0', 'the recreated pod');
      expect(await image(0)).toBe('nginx:1.0');
      const rollout = await t.kubectl(['rollout', 'status', 'sts/od']);
      expect(rollout.stderr).toContain('rollout status is only available for RollingUpdate strategy type');
    } finally {
      await kubelet.stop();
    }
  });

  it('persistentVolumeClaimRetentionPolicy Delete removes claims on scale-down and with the set', async () => {
    const kubelet = kubeletLoop('default', 'app=ret');
    try {
      await ok(['apply', '-f', '-'], sts('ret', {
        replicas: 2,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      }));
      await eventually(async () => (await jsonpath('default', 'sts/ret', '{.status.readyReplicas}')) === '2', 'two ready pods');
      const refs = JSON.parse(await ok(['get', 'pvc', 'data-ret-0', '-o', 'jsonpath={.metadata.ownerReferences}']));
      expect(refs).toMatchObject([{ kind: 'StatefulSet', name: 'ret' }]);
      await ok(['scale', 'sts/ret', '--replicas=1']);
      await eventually(async () => (await t.kubectl(['get', 'pvc', 'data-ret-1'])).code !== 0, 'the scaled-down claim to go');
      expect((await t.kubectl(['get', 'pvc', 'data-ret-0'])).code).toBe(0);
      await ok(['delete', 'sts', 'ret']);
      await eventually(async () => (await t.kubectl(['get', 'pvc', 'data-ret-0'])).code !== 0, 'the claim to go with the set');
    } finally {
      await kubelet.stop();
    }
  });
});
