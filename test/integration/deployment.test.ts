/**
 * The Deployment controller (with the ReplicaSet controller and the garbage collector) driven by
 * the real kubectl against an in-process server. No kubelet runs: a fake one (runPods) binds
 * pods and reports them Running and Ready, and finishes the deletion of terminating pods, in a
 * loop per namespace.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../src/api/resources.js';
import { KubeClient, type KObject } from '../../src/client/index.js';
import { runPods } from '../helpers/fake-kubelet.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const podsRes = findResource('', 'v1', 'pods')!;
let t: TestServer;
let client: KubeClient;
const loops: (() => void)[] = [];

beforeAll(async () => {
  t = await startTestServer({ disable: ['statefulset', 'daemonset', 'scheduler'] });
  await t.server.controllers.synced;
  client = await KubeClient.fromKubeconfig(t.kubeconfig);
});
afterAll(async () => {
  for (const stop of loops) stop();
  client?.close();
  await t?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, tries = 600): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
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

/** A fake kubelet for a namespace: pods become Running+Ready; terminating pods finish at once. */
function kubelet(ns: string): () => void {
  let stopped = false;
  (async () => {
    while (!stopped) {
      try {
        await runPods(client, ns);
        const list = await client.list(podsRes, ns);
        for (const p of list.items as KObject[]) {
          if (p.metadata.deletionTimestamp) await client.delete(podsRes, ns, p.metadata.name, { gracePeriodSeconds: 0 }).catch(() => undefined);
        }
      } catch {
        // the namespace may be going away
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const stop = (): void => {
    stopped = true;
  };
  loops.push(stop);
  return stop;
}

async function json(args: string[]): Promise<KObject> {
  return JSON.parse(await ok([...args, '-o', 'json']));
}

const activePods = async (ns: string, selector: string): Promise<KObject[]> =>
  ((await json(['-n', ns, 'get', 'pods', '-l', selector])).items as KObject[]).filter((p) => !p.metadata.deletionTimestamp);

const replicaSetsOf = async (ns: string, selector: string): Promise<KObject[]> =>
  ((await json(['-n', ns, 'get', 'rs', '-l', selector])).items as KObject[]).sort((a, b) => Number(a.metadata.annotations['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations['deployment.kubernetes.io/revision']));

async function newNamespace(name: string, withKubelet = true): Promise<string> {
  await ok(['create', 'ns', name]);
  if (withKubelet) kubelet(name);
  return name;
}

describe('deployments', () => {
  it('kubectl create deployment makes a ReplicaSet and 3 pods; rollout status succeeds; READY 3/3', async () => {
    const ns = await newNamespace('d-create');
    await ok(['-n', ns, 'create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    const status = await t.kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const get = await ok(['-n', ns, 'get', 'deployment', 'web']);
    expect(get).toMatch(/web\s+3\/3\s+3\s+3\s+/);

    const [rs] = await replicaSetsOf(ns, 'app=web');
    const hash = rs.metadata.labels['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec.template.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', controller: true, blockOwnerDeletion: true })]);
    const pods = await activePods(ns, 'app=web');
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name.startsWith(`web-${hash}-`)).toBe(true);
      expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicaSet', name: rs.metadata.name, controller: true, blockOwnerDeletion: true })]);
    }
    const d = await json(['-n', ns, 'get', 'deployment', 'web']);
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: d.metadata.generation });
    const cond = (type: string) => d.status.conditions.find((c: KObject) => c.type === type);
    expect(cond('Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(cond('Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.` });

    // kubectl wait --for=condition=Available
    const wait = await ok(['-n', ns, 'wait', '--for=condition=Available', 'deployment/web', '--timeout=30s']);
    expect(wait).toBe('deployment.apps/web condition met\n');

    // kubectl scale up and down
    await ok(['-n', ns, 'scale', 'deployment/web', '--replicas=5']);
    await eventually(async () => (await activePods(ns, 'app=web')).length === 5, '5 pods');
    await ok(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    await ok(['-n', ns, 'scale', 'deployment/web', '--replicas=2']);
    await eventually(async () => (await activePods(ns, 'app=web')).length === 2, '2 pods');
    expect(await replicaSetsOf(ns, 'app=web')).toHaveLength(1);

    // A deleted pod is replaced.
    const before = await activePods(ns, 'app=web');
    await ok(['-n', ns, 'delete', 'pod', before[0].metadata.name, '--wait=false']);
    await eventually(async () => {
      const now = await activePods(ns, 'app=web');
      return now.length === 2 && !now.some((p) => p.metadata.name === before[0].metadata.name);
    }, 'a replacement pod');
  });

  it('set image rolls out a new ReplicaSet; history lists revisions; undo goes back as revision 3', async () => {
    const ns = await newNamespace('d-rollout');
    await ok(['-n', ns, 'create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    await ok(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    await ok(['-n', ns, 'set', 'image', 'deployment/web', 'nginx=nginx:2']);
    const status = await ok(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(status).toContain('deployment "web" successfully rolled out');
    const rss = await replicaSetsOf(ns, 'app=web');
    expect(rss.map((r) => [r.metadata.annotations['deployment.kubernetes.io/revision'], r.spec.replicas, r.spec.template.spec.containers[0].image]))
      .toEqual([['1', 0, 'nginx'], ['2', 3, 'nginx:2']]);
    const pods = await activePods(ns, 'app=web');
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.spec.containers[0].image === 'nginx:2')).toBe(true);

    const history = await ok(['-n', ns, 'rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);

    const undo = await ok(['-n', ns, 'rollout', 'undo', 'deployment/web']);
    expect(undo).toBe('deployment.apps/web rolled back\n');
    await ok(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    const after = await replicaSetsOf(ns, 'app=web');
    expect(after.map((r) => [r.metadata.annotations['deployment.kubernetes.io/revision'], r.spec.replicas, r.spec.template.spec.containers[0].image]))
      .toEqual([['2', 0, 'nginx:2'], ['3', 3, 'nginx']]);
    expect(after[1].metadata.name).toBe(rss[0].metadata.name);
    expect(after[1].metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(await ok(['-n', ns, 'rollout', 'history', 'deployment/web'])).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    expect((await json(['-n', ns, 'get', 'deployment', 'web'])).metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');

    // rollout restart: a template annotation change → a new revision.
    await ok(['-n', ns, 'rollout', 'restart', 'deployment/web']);
    await ok(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    const restarted = await replicaSetsOf(ns, 'app=web');
    expect(restarted).toHaveLength(3);
    expect(restarted[2].metadata.annotations['deployment.kubernetes.io/revision']).toBe('4');
    expect(restarted[2].spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
  });

  it('rollout pause holds a template change; resume rolls it out', async () => {
    const ns = await newNamespace('d-pause');
    await ok(['-n', ns, 'create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
    await ok(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(await ok(['-n', ns, 'rollout', 'pause', 'deployment/web'])).toBe('deployment.apps/web paused\n');
    await ok(['-n', ns, 'set', 'image', 'deployment/web', 'nginx=nginx:3']);
    const paused = await eventually(async () => {
      const d = await json(['-n', ns, 'get', 'deployment', 'web']);
      const c = d.status.conditions.find((x: KObject) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' && d.status.observedGeneration === d.metadata.generation ? c : undefined;
    }, 'the DeploymentPaused condition');
    expect(paused).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    expect(await replicaSetsOf(ns, 'app=web')).toHaveLength(1);
    expect(await ok(['-n', ns, 'rollout', 'resume', 'deployment/web'])).toBe('deployment.apps/web resumed\n');
    await ok(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    const rss = await replicaSetsOf(ns, 'app=web');
    expect(rss.map((r) => [r.spec.replicas, r.spec.template.spec.containers[0].image])).toEqual([[0, 'nginx'], [2, 'nginx:3']]);
  });

  it('Recreate scales the old ReplicaSet to zero and waits for its pods before the new one starts', async () => {
    const ns = await newNamespace('d-recreate');
    await ok(['-n', ns, 'apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rc' },
      spec: {
        replicas: 3, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'rc' } },
        template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } },
      },
    }));
    await ok(['-n', ns, 'rollout', 'status', 'deployment/rc', '--timeout=60s']);
    // Watch the pods through the rollout: old and new pods never exist at the same time.
    let watching = true;
    const mixed: string[][] = [];
    const sampler = (async () => {
      while (watching) {
        const list = await client.list(podsRes, ns, { labelSelector: 'app=rc' });
        const images = new Set((list.items as KObject[]).map((p) => p.spec.containers[0].image as string));
        if (images.size > 1) mixed.push([...images]);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await ok(['-n', ns, 'set', 'image', 'deployment/rc', 'c=busybox:2']);
    await ok(['-n', ns, 'rollout', 'status', 'deployment/rc', '--timeout=60s']);
    watching = false;
    await sampler;
    expect(mixed).toEqual([]);
    const pods = await activePods(ns, 'app=rc');
    expect(pods.map((p) => p.spec.containers[0].image)).toEqual(['busybox:2', 'busybox:2', 'busybox:2']);
    const messages = ((await json(['-n', ns, 'get', 'events', '--field-selector', 'involvedObject.kind=Deployment'])).items as KObject[])
      .map((e) => e.message as string);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Scaled down replica set rc-\w+ from 3 to 0$/), expect.stringMatching(/^Scaled up replica set rc-\w+ from 0 to 3$/),
    ]));
  });

  it('scaling during a rollout spreads the change over the ReplicaSets in proportion', async () => {
    const ns = await newNamespace('d-proportional', false);
    await ok(['-n', ns, 'apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'prop' },
      spec: {
        replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 0 } }, selector: { matchLabels: { app: 'prop' } },
        template: { metadata: { labels: { app: 'prop' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } },
      },
    }));
    await eventually(async () => (await activePods(ns, 'app=prop')).length === 10, '10 pods');
    const [first] = await replicaSetsOf(ns, 'app=prop');
    // Only the first revision's pods ever become ready: the rollout stalls at maxSurge.
    const hash = first.metadata.labels['pod-template-hash'];
    let stop = false;
    loops.push(() => (stop = true));
    (async () => {
      while (!stop) {
        await runPods(client, ns, { labelSelector: `pod-template-hash=${hash}` }).catch(() => 0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await ok(['-n', ns, 'rollout', 'status', 'deployment/prop', '--timeout=60s']);
    await ok(['-n', ns, 'set', 'image', 'deployment/prop', 'c=busybox:2']);
    const sizes = async (): Promise<number[]> => (await replicaSetsOf(ns, 'app=prop')).map((r) => r.spec.replicas);
    await eventually(async () => JSON.stringify(await sizes()) === '[10,3]', 'the surge: 10 old, 3 new');
    await ok(['-n', ns, 'scale', 'deployment/prop', '--replicas=20']);
    // 13 → 23 allowed: the old set gets round(10·23/13)=18, the new one round(3·23/13)=5.
    await eventually(async () => JSON.stringify(await sizes()) === '[18,5]', 'proportional sizes 18 and 5');
    const rss = await replicaSetsOf(ns, 'app=prop');
    for (const r of rss) {
      expect(r.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '20', 'deployment.kubernetes.io/max-replicas': '23' });
    }
    await ok(['-n', ns, 'scale', 'deployment/prop', '--replicas=0']);
    await eventually(async () => JSON.stringify(await sizes()) === '[0,0]', 'both sets at zero');
  });

  it('a rollout that makes no progress reports ProgressDeadlineExceeded and rollout status fails', async () => {
    const ns = await newNamespace('d-deadline', false);
    await ok(['-n', ns, 'apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'slow' },
      spec: {
        replicas: 1, progressDeadlineSeconds: 1, selector: { matchLabels: { app: 'slow' } },
        template: { metadata: { labels: { app: 'slow' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    }));
    const cond = await eventually(async () => {
      const d = await json(['-n', ns, 'get', 'deployment', 'slow']);
      const c = (d.status?.conditions ?? []).find((x: KObject) => x.type === 'Progressing');
      return c?.reason === 'ProgressDeadlineExceeded' ? c : undefined;
    }, 'ProgressDeadlineExceeded', 400);
    const [rs] = await replicaSetsOf(ns, 'app=slow');
    expect(cond).toMatchObject({ status: 'False', message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.` });
    const r = await t.kubectl(['-n', ns, 'rollout', 'status', 'deployment/slow', '--timeout=20s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: deployment "slow" exceeded its progress deadline\n');
    const d = await json(['-n', ns, 'get', 'deployment', 'slow']);
    expect(d.status.conditions.find((x: KObject) => x.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  it('the seed Deployment applies to 3 pods; deleting a Deployment removes its ReplicaSets and pods', async () => {
    await newNamespace('seed-demo');
    await ok(['apply', '-f', 'test/fixtures/seeds/03-deployment.yaml']);
    await ok(['-n', 'seed-demo', 'rollout', 'status', 'deployment/nginx-deployment', '--timeout=60s']);
    expect(await activePods('seed-demo', 'app=nginx')).toHaveLength(3);
    expect(await ok(['-n', 'seed-demo', 'get', 'deployment', 'nginx-deployment', '--no-headers'])).toMatch(/^nginx-deployment\s+3\/3\s+3\s+3\s+/);
    expect((await readFile('test/fixtures/seeds/03-deployment.yaml', 'utf8'))).toContain('nginx:1.14.2');

    await ok(['-n', 'seed-demo', 'delete', 'deployment', 'nginx-deployment']);
    await eventually(async () => (await replicaSetsOf('seed-demo', 'app=nginx')).length === 0, 'the ReplicaSets to go');
    await eventually(async () => ((await json(['-n', 'seed-demo', 'get', 'pods'])).items as KObject[]).length === 0, 'the pods to go');
  });
});
