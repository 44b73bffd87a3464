/**
 * kubectl describe (with Events), scale, delete, create <generator>, cordon/uncordon and auth
 * against a k8ts server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
const getJson = async (...args: string[]) => JSON.parse(await ok(['get', ...args, '-o', 'json']));

beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
});
afterAll(async () => {
  await t?.stop();
});

/** A core/v1 Event about an object. */
function event(name: string, ns: string, about: { kind: string; name: string; uid: string; apiVersion: string }, reason: string, message: string, type = 'Normal') {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: ns },
    involvedObject: { ...about, namespace: ns },
    reason,
    message,
    type,
    source: { component: 'k8ts-test' },
    count: 1,
    firstTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    lastTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  });
}

describe('kubectl describe', () => {
  it('a ConfigMap shows its data and the Events about it (matched by uid)', async () => {
    await ok(['create', 'configmap', 'described', '--from-literal=greeting=hello']);
    const cm = await getJson('cm', 'described');
    await ok(['create', '-f', '-'], event('described.1', 'default', { kind: 'ConfigMap', name: 'described', uid: cm.metadata.uid, apiVersion: 'v1' }, 'Checked', 'looked at it'));
    // An event about another object with the same name but another uid is not shown.
    await ok(['create', '-f', '-'], event('described.2', 'default', { kind: 'ConfigMap', name: 'described', uid: '00000000-0000-0000-0000-000000000000', apiVersion: 'v1' }, 'Stale', 'old incarnation'));
    const out = await ok(['describe', 'cm', 'described']);
    expect(out).toMatch(/^Name:\s+described$/m);
    expect(out).toMatch(/^Namespace:\s+default$/m);
    expect(out).toMatch(/^greeting:\n----\nhello$/m);
    expect(out).toMatch(/^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
    expect(out).toMatch(/^\s+Normal\s+Checked\s+\S+\s+k8ts-test\s+looked at it$/m);
    expect(out).not.toMatch(/Stale/);
  });

  it('a Deployment shows its template and a Warning event', async () => {
    await ok(['create', 'deployment', 'shown', '--image=nginx:1.25', '--replicas=2', '--port=80']);
    const d = await getJson('deploy', 'shown');
    await ok(['create', '-f', '-'], event('shown.1', 'default', { kind: 'Deployment', name: 'shown', uid: d.metadata.uid, apiVersion: 'apps/v1' }, 'ScalingReplicaSet', 'Scaled up replica set shown-abc to 2'));
    await ok(['create', '-f', '-'], event('shown.2', 'default', { kind: 'Deployment', name: 'shown', uid: d.metadata.uid, apiVersion: 'apps/v1' }, 'FailedCreate', 'quota exceeded', 'Warning'));
    const out = await ok(['describe', 'deploy', 'shown']);
    expect(out).toMatch(/^Name:\s+shown$/m);
    expect(out).toMatch(/^Selector:\s+app=shown$/m);
    expect(out).toMatch(/^Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
    expect(out).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(out).toMatch(/^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    expect(out).toMatch(/^\s+Image:\s+nginx:1\.25$/m);
    expect(out).toMatch(/^\s+Port:\s+80\/TCP$/m);
    expect(out).toMatch(/^\s+Normal\s+ScalingReplicaSet\s+\S+\s+k8ts-test\s+Scaled up replica set shown-abc to 2$/m);
    expect(out).toMatch(/^\s+Warning\s+FailedCreate\s+\S+\s+k8ts-test\s+quota exceeded$/m);
  });

  it('get events lists them with the involved object', async () => {
    const out = await ok(['get', 'events', '--field-selector', 'involvedObject.name=shown', '--sort-by=.metadata.name']);
    expect(out).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    expect(out).toMatch(/^\S+\s+Normal\s+ScalingReplicaSet\s+deployment\/shown\s+Scaled up replica set shown-abc to 2$/m);
    expect(out).toMatch(/^\S+\s+Warning\s+FailedCreate\s+deployment\/shown\s+quota exceeded$/m);
  });
});

describe('kubectl scale', () => {
  it('sets replicas through the scale subresource and bumps generation', async () => {
    const before = await getJson('deploy', 'shown');
    expect(await ok(['scale', 'deploy', 'shown', '--replicas=5'])).toBe('deployment.apps/shown scaled\n');
    const after = await getJson('deploy', 'shown');
    expect(after.spec.replicas).toBe(5);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(await ok(['get', 'deploy', 'shown'])).toMatch(/^shown\s+0\/5\s+0\s+0\s/m);
  });

  it('--current-replicas guards the change', async () => {
    const r = await t.kubectl(['scale', 'deploy', 'shown', '--current-replicas=3', '--replicas=1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Expected replicas to be 3, was 5/);
    expect((await getJson('deploy', 'shown')).spec.replicas).toBe(5);
  });

  it('a StatefulSet scales too', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } } },
    }));
    expect(await ok(['scale', 'sts', 'db', '--replicas=3'])).toBe('statefulset.apps/db scaled\n');
    expect((await getJson('sts', 'db')).spec.replicas).toBe(3);
  });

  it('a negative count is refused by kubectl', async () => {
    const r = await t.kubectl(['scale', 'deploy', 'shown', '--replicas=-1']);
    expect(r.code).toBe(1);
    expect((await getJson('deploy', 'shown')).spec.replicas).toBe(5);
  });
});

describe('kubectl create <generator>', () => {
  beforeAll(async () => {
    await ok(['create', 'namespace', 'gen']);
  });

  it.each<[string, string[], string, string[]]>([
    ['deployment', ['deployment', 'web', '--image=nginx:1.25', '--replicas=2'], 'deployment.apps/web', ['deploy', 'web']],
    ['configmap', ['configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=2'], 'configmap/cfg', ['cm', 'cfg']],
    ['secret generic', ['secret', 'generic', 'sec', '--from-literal=password=s3cr3t'], 'secret/sec', ['secret', 'sec']],
    ['service clusterip', ['service', 'clusterip', 'svc-c', '--tcp=80:8080'], 'service/svc-c', ['svc', 'svc-c']],
    ['service nodeport', ['service', 'nodeport', 'svc-n', '--tcp=80:8080'], 'service/svc-n', ['svc', 'svc-n']],
    ['job', ['job', 'once', '--image=busybox', '--', 'echo', 'hi'], 'job.batch/once', ['job', 'once']],
    ['cronjob', ['cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'], 'cronjob.batch/tick', ['cj', 'tick']],
    ['role', ['role', 'reader', '--verb=get,list', '--resource=pods'], 'role.rbac.authorization.k8s.io/reader', ['role', 'reader']],
    ['rolebinding', ['rolebinding', 'reader-jane', '--role=reader', '--user=jane'], 'rolebinding.rbac.authorization.k8s.io/reader-jane', ['rolebinding', 'reader-jane']],
    ['quota', ['quota', 'limits', '--hard=pods=10,cpu=4'], 'resourcequota/limits', ['quota', 'limits']],
    ['poddisruptionbudget', ['poddisruptionbudget', 'web-pdb', '--selector=app=web', '--min-available=1'], 'poddisruptionbudget.policy/web-pdb', ['pdb', 'web-pdb']],
    ['ingress', ['ingress', 'site', '--rule=example.com/api*=svc-c:80'], 'ingress.networking.k8s.io/site', ['ing', 'site']],
    ['serviceaccount', ['serviceaccount', 'robot'], 'serviceaccount/robot', ['sa', 'robot']],
  ])('namespaced %s', async (_kind, args, printed, getArgs) => {
    expect(await ok(['create', '-n', 'gen', ...args])).toBe(`${printed} created\n`);
    const r = await t.kubectl(['get', ...getArgs, '-n', 'gen']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${getArgs[1]}\\s`, 'm'));
  });

  it.each<[string, string[], string, string[]]>([
    ['namespace', ['namespace', 'made'], 'namespace/made', ['ns', 'made']],
    ['clusterrole', ['clusterrole', 'node-reader', '--verb=get', '--resource=nodes'], 'clusterrole.rbac.authorization.k8s.io/node-reader', ['clusterrole', 'node-reader']],
    ['clusterrolebinding', ['clusterrolebinding', 'node-reader-jane', '--clusterrole=node-reader', '--user=jane'], 'clusterrolebinding.rbac.authorization.k8s.io/node-reader-jane', ['clusterrolebinding', 'node-reader-jane']],
    ['priorityclass', ['priorityclass', 'high', '--value=1000', '--description=important'], 'priorityclass.scheduling.k8s.io/high', ['pc', 'high']],
  ])('cluster-scoped %s', async (_kind, args, printed, getArgs) => {
    expect(await ok(['create', ...args])).toBe(`${printed} created\n`);
    const r = await t.kubectl(['get', ...getArgs]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${getArgs[1]}\\s`, 'm'));
  });

  it('the created objects carry what the generators asked for', async () => {
    const web = await getJson('deploy', 'web', '-n', 'gen');
    expect(web.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'web' } } });
    expect(web.spec.template.spec.containers).toEqual([expect.objectContaining({ name: 'nginx', image: 'nginx:1.25' })]);
    expect((await getJson('cm', 'cfg', '-n', 'gen')).data).toEqual({ a: '1', b: '2' });
    const sec = await getJson('secret', 'sec', '-n', 'gen');
    expect(sec.type).toBe('Opaque');
    expect(Buffer.from(sec.data.password, 'base64').toString()).toBe('s3cr3t');
    const svc = await getJson('svc', 'svc-n', '-n', 'gen');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, protocol: 'TCP' });
    const job = await getJson('job', 'once', '-n', 'gen');
    expect(job.spec.template.spec.containers[0]).toMatchObject({ image: 'busybox', command: ['echo', 'hi'] });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect((await getJson('cj', 'tick', '-n', 'gen')).spec.schedule).toBe('*/5 * * * *');
    expect((await getJson('role', 'reader', '-n', 'gen')).rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    expect((await getJson('rolebinding', 'reader-jane', '-n', 'gen')).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    expect((await getJson('quota', 'limits', '-n', 'gen')).spec.hard).toEqual({ pods: '10', cpu: '4' });
    expect((await getJson('pdb', 'web-pdb', '-n', 'gen')).spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
    const ing = await getJson('ing', 'site', '-n', 'gen');
    expect(ing.spec.rules[0]).toMatchObject({ host: 'example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'svc-c', port: { number: 80 } } } }] } });
    expect(await getJson('pc', 'high')).toMatchObject({ value: 1000, description: 'important', globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' });
  });

  it('tables for the generated kinds', async () => {
    expect(await ok(['get', 'deploy', 'web', '-n', 'gen'])).toMatch(/^web\s+0\/2\s+0\s+0\s+\S+$/m);
    expect(await ok(['get', 'secret', 'sec', '-n', 'gen'])).toMatch(/^sec\s+Opaque\s+1\s+\S+$/m);
    expect(await ok(['get', 'svc', 'svc-c', '-n', 'gen'])).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nsvc-c\s+ClusterIP\s/);
    expect(await ok(['get', 'cj', 'tick', '-n', 'gen'])).toMatch(/^tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/m);
    expect(await ok(['get', 'rolebinding', 'reader-jane', '-n', 'gen'])).toMatch(/^reader-jane\s+Role\/reader\s+\S+$/m);
    expect(await ok(['get', 'clusterrolebinding', 'node-reader-jane'])).toMatch(/^node-reader-jane\s+ClusterRole\/node-reader\s+\S+$/m);
    expect(await ok(['get', 'pdb', 'web-pdb', '-n', 'gen'])).toMatch(/^web-pdb\s+1\s+N\/A\s+0\s+\S+$/m);
    expect(await ok(['get', 'ing', 'site', '-n', 'gen'])).toMatch(/^site\s+<none>\s+example\.com\s+80\s+\S+$/m);
    expect(await ok(['get', 'pc', 'high'])).toMatch(/^high\s+1000\s+false\s+\S+\s+PreemptLowerPriority$/m);
    expect(await ok(['get', 'sa', 'robot', '-n', 'gen'])).toMatch(/^robot\s+0\s+\S+$/m);
    expect(await ok(['get', 'ns', 'made'])).toMatch(/^made\s+Active\s+\S+$/m);
  });

  it('--dry-run=server stores nothing', async () => {
    expect(await ok(['create', 'configmap', 'dry', '--from-literal=a=1', '--dry-run=server'])).toBe('configmap/dry created (server dry run)\n');
    const r = await t.kubectl(['get', 'cm', 'dry']);
    expect(r.stderr).toBe('Error from server (NotFound): configmaps "dry" not found\n');
  });
});

describe('kubectl delete', () => {
  it('delete -f removes what the manifest names', async () => {
    const manifest = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'del-a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'del-b' } },
    ].map((o) => JSON.stringify(o)).join('\n');
    await ok(['apply', '-f', '-'], manifest);
    expect(await ok(['delete', '-f', '-'], manifest)).toBe('configmap "del-a" deleted\nconfigmap "del-b" deleted\n');
    const again = await t.kubectl(['delete', '-f', '-'], { input: manifest });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Error from server \(NotFound\): error when deleting "STDIN": configmaps "del-a" not found/);
    expect(await t.kubectl(['delete', '-f', '-', '--ignore-not-found'], { input: manifest })).toMatchObject({ code: 0, stdout: '' });
  });

  it('delete cm --all removes every ConfigMap of the namespace only', async () => {
    await ok(['create', 'namespace', 'wipe']);
    for (const n of ['x1', 'x2', 'x3']) await ok(['create', 'configmap', n, '-n', 'wipe']);
    await ok(['create', 'configmap', 'keep', '-n', 'gen']);
    const out = await ok(['delete', 'cm', '--all', '-n', 'wipe']);
    expect(out).toBe('configmap "x1" deleted\nconfigmap "x2" deleted\nconfigmap "x3" deleted\n');
    const r = await t.kubectl(['get', 'cm', '-n', 'wipe']);
    expect(r.stderr).toBe('No resources found in wipe namespace.\n');
    expect((await getJson('cm', 'keep', '-n', 'gen')).metadata.name).toBe('keep');
  });

  it('delete by label selector', async () => {
    for (const n of ['l1', 'l2']) await ok(['create', 'configmap', n, '-n', 'wipe']);
    await ok(['label', 'cm', 'l1', '-n', 'wipe', 'drop=yes']);
    expect(await ok(['delete', 'cm', '-l', 'drop=yes', '-n', 'wipe'])).toBe('configmap "l1" deleted\n');
    expect(names(await ok(['get', 'cm', '-n', 'wipe']))).toEqual(['l2']);
  });

  it('an object with a finalizer stays with a deletionTimestamp until the finalizer is removed', async () => {
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } }));
    expect(await ok(['delete', 'cm', 'held', '--wait=false'])).toBe('configmap "held" deleted\n');
    const held = await getJson('cm', 'held');
    expect(held.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(held.metadata.finalizers).toEqual(['example.com/hold']);
    expect(names(await ok(['get', 'cm']))).toContain('held');
    // A second delete changes nothing.
    await ok(['delete', 'cm', 'held', '--wait=false']);
    expect((await getJson('cm', 'held')).metadata.deletionTimestamp).toBe(held.metadata.deletionTimestamp);
    // No new finalizers once deletion started.
    const add = await t.kubectl(['patch', 'cm', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold","example.com/more"]}}']);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/no new finalizers can be added if the object is being deleted/);
    expect(await ok(['patch', 'cm', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'])).toBe('configmap/held patched\n');
    const gone = await t.kubectl(['get', 'cm', 'held']);
    expect(gone.stderr).toBe('Error from server (NotFound): configmaps "held" not found\n');
  });
});

const names = (stdout: string): string[] =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0]!);

describe('kubectl cordon and uncordon', () => {
  it('marks a Node unschedulable and back', async () => {
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } }));
    expect(await ok(['get', 'nodes'])).toMatch(/^node-1\s+Unknown\s+<none>\s+\S+\s*$/m);
    expect(await ok(['cordon', 'node-1'])).toBe('node/node-1 cordoned\n');
    expect(await ok(['get', 'nodes'])).toMatch(/^node-1\s+Unknown,SchedulingDisabled\s+<none>\s/m);
    expect((await getJson('node', 'node-1')).spec.unschedulable).toBe(true);
    expect(await ok(['cordon', 'node-1'])).toBe('node/node-1 already cordoned\n');
    expect(await ok(['uncordon', 'node-1'])).toBe('node/node-1 uncordoned\n');
    expect(await ok(['get', 'nodes'])).toMatch(/^node-1\s+Unknown\s+<none>\s/m);
    expect((await getJson('node', 'node-1')).spec.unschedulable).toBeUndefined();
  });

  it('a missing node is NotFound', async () => {
    const r = await t.kubectl(['cordon', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): nodes "nope" not found\n');
  });
});

describe('kubectl auth', () => {
  it('can-i create pods → yes', async () => {
    const r = await t.kubectl(['auth', 'can-i', 'create', 'pods']);
    expect(r).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect((await t.kubectl(['auth', 'can-i', 'delete', 'nodes', '--all-namespaces'])).stdout).toBe('yes\n');
  });

  it('can-i --list', async () => {
    const r = await t.kubectl(['auth', 'can-i', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
    expect(r.stdout).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    expect(r.stdout).toMatch(/^\s+\[\*\]\s+\[\]\s+\[\*\]$/m);
  });

  it('whoami shows the admin user in system:masters', async () => {
    const r = await t.kubectl(['auth', 'whoami']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ATTRIBUTE\s+VALUE\nUsername\s+admin\nGroups\s+\[system:masters system:authenticated\]\n$/);
    const review = JSON.parse((await t.kubectl(['auth', 'whoami', '-o', 'json'])).stdout);
    expect(review).toMatchObject({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', status: { userInfo: { username: 'admin' } } });
    expect(review.status.userInfo.groups).toContain('system:masters');
  });
});
