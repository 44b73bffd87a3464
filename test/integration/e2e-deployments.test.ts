/**
 * Issue 3 "Done means", Deployments and deletion, end to end: the real kubectl 1.32 against
 * `k8ts server --runtime sim --sim-nodes 3` with the scheduler and every controller; pods are
 * placed by the scheduler and run by the simulated nodes. create/scale/apply of the seed
 * Deployment, spreading, replacement of a deleted pod, rollouts (status, history, undo,
 * pause/resume, Recreate), cascading/orphaning/foreground deletes and namespace deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEEDS, eventually, rows, startE2E, watch, type E2E } from '../helpers/e2e.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
}, 60_000);
afterAll(async () => {
  await e?.t.stop();
});

const NS = 'seed-demo';
const seed = (name: string): Promise<string> => e.ok(['apply', '-f', `${SEEDS}${name}.yaml`]);

/** Pods of the seed Deployment: name, ready, status, image (via custom columns). */
async function nginxPods(): Promise<{ name: string; ready: string; image: string; node: string; deleting: boolean }[]> {
  const out = await e.ok(['-n', NS, 'get', 'pods', '-l', 'app=nginx', '--no-headers', '-o',
    'custom-columns=NAME:.metadata.name,READY:.status.containerStatuses[0].ready,IMAGE:.spec.containers[0].image,NODE:.spec.nodeName,DEL:.metadata.deletionTimestamp']);
  return rows(out).map(([name, ready, image, node, del]) => ({ name, ready, image, node, deleting: del !== '<none>' }));
}

/** Waits until exactly `n` live, ready pods of the seed Deployment run `image`, and nothing else is left. */
async function settled(n: number, image: string): Promise<void> {
  await eventually(async () => {
    const pods = await nginxPods();
    return pods.length === n && pods.every((p) => p.ready === 'true' && p.image === image && !p.deleting);
  }, `${n} ready pods on ${image}`);
}

describe('Deployments on simulated nodes', () => {
  it('kubectl create deployment and kubectl scale: pods are scheduled, run, and spread over the nodes', async () => {
    expect(await e.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2'])).toBe('deployment.apps/web created\n');
    await e.ok(['wait', '--for=condition=Available', 'deploy/web', '--timeout=60s']);
    expect(await e.ok(['scale', 'deploy/web', '--replicas=6'])).toBe('deployment.apps/web scaled\n');
    await e.ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const out = await e.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide', '--no-headers']);
    const r = rows(out);
    expect(r).toHaveLength(6);
    for (const row of r) {
      expect(row[1]).toBe('1/1');
      expect(row[2]).toBe('Running');
      expect(row[5]).toMatch(/^10\.42\.\d+\.\d+$/);
      expect(row[6]).toMatch(/^sim-node-[123]$/);
    }
    // Six pods over three equal nodes: the scheduler's spreading and balanced scoring use every node.
    expect(new Set(r.map((x) => x[6])).size).toBe(3);
    const d = await e.json('get', 'deploy', 'web');
    expect(d.status).toMatchObject({ replicas: 6, readyReplicas: 6, availableReplicas: 6, updatedReplicas: 6 });
    // Scale down: back to two.
    await e.ok(['scale', 'deploy/web', '--replicas=2']);
    await eventually(async () => rows(await e.ok(['get', 'pods', '-l', 'app=web', '--no-headers'])).length === 2, 'two web pods');
    expect((await e.ok(['get', 'deploy', 'web', '--no-headers'])).split(/\s+/).slice(0, 4)).toEqual(['web', '2/2', '2', '2']);
  });

  it('kubectl apply -f of the seed namespace, config and Deployment rolls out over more than one node', async () => {
    expect(await seed('01-namespace')).toBe('namespace/seed-demo created\n');
    expect(await seed('02-config')).toBe('configmap/app-config created\nsecret/app-secret created\n');
    expect(await seed('03-deployment')).toBe('deployment.apps/nginx-deployment created\n');
    expect(await e.ok(['-n', NS, 'rollout', 'status', 'deploy/nginx-deployment', '--timeout=60s'])).toContain('deployment "nginx-deployment" successfully rolled out');
    await settled(3, 'nginx:1.14.2');
    const nodes = await e.nodesOf(NS, 'app=nginx');
    expect(nodes).toHaveLength(3);
    expect(new Set(nodes).size).toBeGreaterThan(1);
    // Each pod's requests are booked on its node.
    const node = await e.ok(['describe', 'node', nodes[0]]);
    expect(node).toMatch(/seed-demo\s+nginx-deployment-\S+\s+100m \(2%\)/);
    expect(await e.ok(['-n', NS, 'get', 'deploy', 'nginx-deployment', '--no-headers'])).toMatch(/^nginx-deployment\s+3\/3\s+3\s+3\s/);
  });

  it('a deleted pod is replaced', async () => {
    const before = await nginxPods();
    const victim = before[0].name;
    expect(await e.ok(['-n', NS, 'delete', 'pod', victim])).toBe(`pod "${victim}" deleted\n`);
    await eventually(async () => {
      const pods = await nginxPods();
      return pods.length === 3 && !pods.some((p) => p.name === victim) && pods.every((p) => p.ready === 'true');
    }, 'a replacement pod');
    const rs = await e.json('-n', NS, 'get', 'rs', '-l', 'app=nginx');
    expect(rs.items).toHaveLength(1);
    const events = await e.ok(['-n', NS, 'get', 'events', '--field-selector', `involvedObject.name=${rs.items[0].metadata.name}`]);
    expect(events.match(/SuccessfulCreate/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('an image change rolls out (rollout status), rollout history lists the revisions, rollout undo goes back', async () => {
    expect(await e.ok(['-n', NS, 'set', 'image', 'deploy/nginx-deployment', 'nginx=nginx:1.16.1'])).toBe('deployment.apps/nginx-deployment image updated\n');
    const status = await e.ok(['-n', NS, 'rollout', 'status', 'deploy/nginx-deployment', '--timeout=60s']);
    expect(status).toContain('deployment "nginx-deployment" successfully rolled out');
    await settled(3, 'nginx:1.16.1');

    const history = await e.ok(['-n', NS, 'rollout', 'history', 'deploy/nginx-deployment']);
    expect(rows(history).slice(1)).toEqual([['REVISION', 'CHANGE-CAUSE'], ['1', '<none>'], ['2', '<none>']]);
    expect(await e.ok(['-n', NS, 'rollout', 'history', 'deploy/nginx-deployment', '--revision=2'])).toMatch(/Image:\s+nginx:1\.16\.1/);
    const rs = rows(await e.ok(['-n', NS, 'get', 'rs', '-l', 'app=nginx', '--no-headers']));
    expect(rs.map((r) => r.slice(1, 4)).sort()).toEqual([['0', '0', '0'], ['3', '3', '3']]);

    expect(await e.ok(['-n', NS, 'rollout', 'undo', 'deploy/nginx-deployment'])).toBe('deployment.apps/nginx-deployment rolled back\n');
    await e.ok(['-n', NS, 'rollout', 'status', 'deploy/nginx-deployment', '--timeout=60s']);
    await settled(3, 'nginx:1.14.2');
    const after = await e.ok(['-n', NS, 'rollout', 'history', 'deploy/nginx-deployment']);
    expect(rows(after).slice(2).map((r) => r[0])).toEqual(['2', '3']);
    const d = await e.json('-n', NS, 'get', 'deploy', 'nginx-deployment');
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(d.status.conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`).sort())
      .toEqual(['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
  });

  it('rollout pause holds a template change back; rollout resume rolls it out', async () => {
    expect(await e.ok(['-n', NS, 'rollout', 'pause', 'deploy/nginx-deployment'])).toBe('deployment.apps/nginx-deployment paused\n');
    await e.ok(['-n', NS, 'set', 'image', 'deploy/nginx-deployment', 'nginx=nginx:1.17']);
    await eventually(async () => {
      const d = await e.json('-n', NS, 'get', 'deploy', 'nginx-deployment');
      return d.status.observedGeneration === d.metadata.generation && d.status.conditions.some((c: any) => c.reason === 'DeploymentPaused');
    }, 'the paused template change observed');
    // Nothing rolled: no ReplicaSet for the new template, the pods keep their image.
    expect((await e.json('-n', NS, 'get', 'rs', '-l', 'app=nginx')).items.map((r: any) => r.spec.template.spec.containers[0].image).sort())
      .toEqual(['nginx:1.14.2', 'nginx:1.16.1']);
    expect((await nginxPods()).map((p) => p.image)).toEqual(['nginx:1.14.2', 'nginx:1.14.2', 'nginx:1.14.2']);
    const status = await e.t.kubectl(['-n', NS, 'rollout', 'status', 'deploy/nginx-deployment', '--timeout=1s']);
    expect(status.stdout).toContain('Waiting for deployment "nginx-deployment" rollout to finish');

    expect(await e.ok(['-n', NS, 'rollout', 'resume', 'deploy/nginx-deployment'])).toBe('deployment.apps/nginx-deployment resumed\n');
    await e.ok(['-n', NS, 'rollout', 'status', 'deploy/nginx-deployment', '--timeout=60s']);
    await settled(3, 'nginx:1.17');
  });

  it('Recreate: every old pod is gone before a new one is created', async () => {
    await e.ok(['-n', NS, 'patch', 'deploy/nginx-deployment', '-p', '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}']);
    const w = watch(e.t, ['-n', NS, 'get', 'pods', '-l', 'app=nginx', '-o', 'custom-columns=EVENT:.type,NAME:.object.metadata.name,IMAGE:.object.spec.containers[0].image']);
    await eventually(async () => w.lines().length >= 3, 'the watch listing the pods');
    await e.ok(['-n', NS, 'set', 'image', 'deploy/nginx-deployment', 'nginx=nginx:1.18']);
    await e.ok(['-n', NS, 'rollout', 'status', 'deploy/nginx-deployment', '--timeout=60s']);
    await settled(3, 'nginx:1.18');
    const lines = (await w.stop()).map((l) => l.split(/\s+/));
    const firstNew = lines.findIndex(([ev, , image]) => ev === 'ADDED' && image === 'nginx:1.18');
    const lastOldGone = lines.map(([ev, , image]) => ev === 'DELETED' && image === 'nginx:1.17').lastIndexOf(true);
    expect(lines.filter(([ev, , image]) => ev === 'DELETED' && image === 'nginx:1.17')).toHaveLength(3);
    expect(firstNew).toBeGreaterThan(lastOldGone);
    const events = await e.ok(['-n', NS, 'describe', 'deploy', 'nginx-deployment']);
    expect(events).toMatch(/StrategyType:\s+Recreate/);
    expect(events).toMatch(/Scaled down replica set nginx-deployment-\S+ from 3 to 0/);
  });

  it('kubectl delete deploy --cascade=orphan leaves the ReplicaSet and its pods; background and foreground deletes take them', async () => {
    const rsBefore = (await e.json('get', 'rs', '-l', 'app=web')).items;
    expect(rsBefore).toHaveLength(1);
    expect(await e.ok(['delete', 'deploy', 'web', '--cascade=orphan'])).toBe('deployment.apps "web" deleted\n');
    // The garbage collector removes the ownerReference; the ReplicaSet and pods stay.
    const rs = await eventually(async () => {
      const r = await e.json('get', 'rs', rsBefore[0].metadata.name);
      return !r.metadata.ownerReferences?.length ? r : undefined;
    }, 'orphaned ReplicaSet');
    expect(rs.metadata.uid).toBe(rsBefore[0].metadata.uid);
    expect(rows(await e.ok(['get', 'pods', '-l', 'app=web', '--no-headers']))).toHaveLength(2);
    // Deleting the orphaned ReplicaSet (background, kubectl's default) takes its pods.
    await e.ok(['delete', 'rs', rs.metadata.name]);
    await eventually(async () => (await e.ok(['get', 'pods', '-l', 'app=web', '-o', 'name'])) === '', 'web pods gone');

    await e.ok(['create', 'deployment', 'fg', '--image=nginx', '--replicas=2']);
    await e.ok(['rollout', 'status', 'deploy/fg', '--timeout=60s']);
    // Foreground: kubectl waits until the Deployment is gone, which happens only after its dependents.
    expect(await e.ok(['delete', 'deploy', 'fg', '--cascade=foreground'])).toBe('deployment.apps "fg" deleted\n');
    expect(await e.ok(['get', 'rs,pods', '-l', 'app=fg', '-o', 'name'])).toBe('');
  });

  it('kubectl delete ns deletes the workloads inside, then the namespace', async () => {
    await e.ok(['-n', NS, 'create', 'job', 'sleeper', '--image=busybox', '--', 'sleep', '3600']);
    await eventually(async () => (await e.ok(['-n', NS, 'get', 'pods', '-l', 'job-name=sleeper', '-o', 'name'])) !== '', 'job pod');
    expect(await e.ok(['delete', 'ns', NS, '--timeout=60s'])).toBe(`namespace "${NS}" deleted\n`);
    const r = await e.t.kubectl(['get', 'ns', NS]);
    expect(r.stderr).toContain(`namespaces "${NS}" not found`);
    expect(await e.ok(['get', 'pods,rs,deploy,jobs,configmaps,secrets', '-A', '--field-selector', `metadata.namespace=${NS}`, '-o', 'name'])).toBe('');
  });
});
