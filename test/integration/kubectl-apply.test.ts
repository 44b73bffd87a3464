/**
 * kubectl apply (client- and server-side), diff and edit against a k8ts server, with kubectl 1.32
 * and, for the seed manifests, 1.27 and 1.33.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const SEEDS = join(import.meta.dirname, '../fixtures/seeds');

let t: TestServer;
let work: string;
beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
  work = await mkdtemp(join(tmpdir(), 'k8ts-kubectl-apply-'));
});
afterAll(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** "kind.group/name verb" lines of apply's output, sorted. */
function outcomes(stdout: string): string[] {
  return stdout.trim().split('\n').sort();
}

/** Every object in the seed manifests, as apply names it. */
const SEED_OBJECTS = [
  'configmap/app-config',
  'cronjob.batch/hello',
  'daemonset.apps/log-agent',
  'deployment.apps/nginx-deployment',
  'horizontalpodautoscaler.autoscaling/nginx-hpa',
  'ingress.networking.k8s.io/name-virtual-host-ingress',
  'job.batch/pi',
  'namespace/seed-demo',
  'persistentvolume/task-pv-volume',
  'persistentvolumeclaim/efs-claim',
  'persistentvolumeclaim/task-pv-claim',
  'role.rbac.authorization.k8s.io/pod-reader',
  'rolebinding.rbac.authorization.k8s.io/read-pods',
  'secret/app-secret',
  'service/external-db',
  'service/nginx-clusterip',
  'service/nginx-headless',
  'service/nginx-lb',
  'service/nginx-nodeport',
  'statefulset.apps/example-statefulset',
  'storageclass.storage.k8s.io/efs-sc',
];

/**
 * Objects upstream reports "configured" on every re-apply of an unchanged manifest:
 * - a Secret with stringData (stringData is folded into data, so the live object never matches
 *   the manifest; kubernetes/kubernetes#87736);
 * - a StatefulSet with volumeClaimTemplates (the templates are defaulted with apiVersion, kind and
 *   status, and the list is replaced atomically by the three-way patch; kubernetes/kubernetes#66450).
 */
const ALWAYS_CONFIGURED = new Set(['secret/app-secret', 'statefulset.apps/example-statefulset']);

/** Copies the seeds into a directory with every namespace and cluster-scoped name suffixed. */
async function seedCopy(suffix: string): Promise<string> {
  const dir = join(work, `seeds${suffix}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  for (const f of await readdir(SEEDS)) {
    const text = (await readFile(join(SEEDS, f), 'utf8'))
      .replaceAll('seed-demo', `seed-demo${suffix}`)
      .replaceAll('efs-sc', `efs-sc${suffix}`)
      .replaceAll('task-pv-volume', `task-pv-volume${suffix}`);
    await writeFile(join(dir, f), text);
  }
  return dir;
}

const renamed = (suffix: string) => (o: string) =>
  o.replace('namespace/seed-demo', `namespace/seed-demo${suffix}`).replace('efs-sc', `efs-sc${suffix}`).replace('task-pv-volume', `task-pv-volume${suffix}`);

describe.each([
  ['1.32', ''],
  ['1.27', '-v127'],
  ['1.33', '-v133'],
])('kubectl %s apply -f test/fixtures/seeds/', (version, suffix) => {
  const objects = SEED_OBJECTS.map(renamed(suffix)).sort();
  const ns = `seed-demo${suffix}`;
  let dir: string;

  it('creates every object', async () => {
    dir = suffix ? await seedCopy(suffix) : SEEDS;
    const r = await t.kubectl(['apply', '-f', dir], { version });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(outcomes(r.stdout)).toEqual(objects.map((o) => `${o} created`));
  });

  it('re-applying reports everything unchanged, except what upstream also reports configured', async () => {
    const r = await t.kubectl(['apply', '-f', dir], { version });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const always = new Set([...ALWAYS_CONFIGURED].map(renamed(suffix)));
    expect(outcomes(r.stdout)).toEqual(objects.map((o) => `${o} ${always.has(o) ? 'configured' : 'unchanged'}`));
  });

  it('a changed image is "configured" and the strategic merge keeps ports, env and resources', async () => {
    const before = JSON.parse((await t.kubectl(['get', 'deploy', 'nginx-deployment', '-n', ns, '-o', 'json'])).stdout);
    const manifest = (await readFile(join(dir, '03-deployment.yaml'), 'utf8')).replace('nginx:1.14.2', 'nginx:1.16.1');
    const r = await t.kubectl(['apply', '-f', '-'], { version, input: manifest });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('deployment.apps/nginx-deployment configured');
    const after = JSON.parse((await t.kubectl(['get', 'deploy', 'nginx-deployment', '-n', ns, '-o', 'json'])).stdout);
    const c = after.spec.template.spec.containers;
    expect(c).toHaveLength(1);
    expect(c[0].image).toBe('nginx:1.16.1');
    expect(c[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(c[0].env).toEqual([{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'APP_MODE' } } }]);
    expect(c[0].resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' } });
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(JSON.parse(after.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).spec.template.spec.containers[0].image).toBe(
      'nginx:1.16.1',
    );
    const again = await t.kubectl(['apply', '-f', '-'], { version, input: manifest });
    expect(again.stdout.trim()).toBe('deployment.apps/nginx-deployment unchanged');
  });

  it('removing a container port from the manifest removes it from the object', async () => {
    const manifest = (await readFile(join(dir, '03-deployment.yaml'), 'utf8'))
      .replace('nginx:1.14.2', 'nginx:1.16.1')
      .replace('        ports:\n        - containerPort: 80\n', '');
    const r = await t.kubectl(['apply', '-f', '-'], { version, input: manifest });
    expect(r.stdout.trim()).toBe('deployment.apps/nginx-deployment configured');
    const after = JSON.parse((await t.kubectl(['get', 'deploy', 'nginx-deployment', '-n', ns, '-o', 'json'])).stdout);
    expect(after.spec.template.spec.containers[0].ports).toBeUndefined();
    expect(after.spec.template.spec.containers[0].env).toHaveLength(1);
  });
});

const cm = (name: string, data: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

describe('server-side apply', () => {
  it('conflicts with a field owned by client-side apply, then takes it with --force-conflicts', async () => {
    expect((await t.kubectl(['apply', '-f', '-'], { input: cm('ssa', { a: '1', b: '2' }) })).stdout.trim()).toBe('configmap/ssa created');
    const conflict = await t.kubectl(['apply', '--server-side', '--field-manager=ops', '-f', '-'], { input: cm('ssa', { a: 'changed', b: '2' }) });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: \.data\.a$/m);
    expect(conflict.stderr).toMatch(/--force-conflicts/);
    expect(JSON.parse((await t.kubectl(['get', 'cm', 'ssa', '-o', 'json'])).stdout).data).toEqual({ a: '1', b: '2' });

    const forced = await t.kubectl(['apply', '--server-side', '--field-manager=ops', '--force-conflicts', '-f', '-'], {
      input: cm('ssa', { a: 'changed', b: '2' }),
    });
    expect(forced.stderr).toBe('');
    expect(forced.stdout.trim()).toBe('configmap/ssa serverside-applied');
    const live = JSON.parse((await t.kubectl(['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields'])).stdout);
    expect(live.data).toEqual({ a: 'changed', b: '2' });
    const managers = Object.fromEntries(live.metadata.managedFields.map((m: any) => [m.manager, m]));
    expect(managers.ops).toMatchObject({ operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } });
    // a moved to ops; b is shared, so it stays with client-side apply too.
    expect(managers['kubectl-client-side-apply']).toMatchObject({ operation: 'Update' });
    expect(managers['kubectl-client-side-apply'].fieldsV1['f:data']).toEqual({ '.': {}, 'f:b': {} });
  });

  it('managed fields are hidden unless --show-managed-fields', async () => {
    const plain = await t.kubectl(['get', 'cm', 'ssa', '-o', 'yaml']);
    expect(plain.stdout).not.toMatch(/managedFields/);
    const shown = await t.kubectl(['get', 'cm', 'ssa', '-o', 'yaml', '--show-managed-fields']);
    expect(shown.stdout).toMatch(/^  managedFields:$/m);
    expect(shown.stdout).toMatch(/^    manager: ops$/m);
    expect(shown.stdout).toMatch(/^    operation: Apply$/m);
  });

  it('creates with --server-side and reports serverside-applied', async () => {
    const r = await t.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('ssa-new', { k: 'v' }) });
    expect(r.stdout.trim()).toBe('configmap/ssa-new serverside-applied');
    const live = JSON.parse((await t.kubectl(['get', 'cm', 'ssa-new', '-o', 'json', '--show-managed-fields'])).stdout);
    expect(live.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:k': {} } } }),
    ]);
  });
});

describe('kubectl diff', () => {
  it('exits 0 with no output when the manifest matches', async () => {
    await t.kubectl(['apply', '-f', '-'], { input: cm('difft', { a: '1' }) });
    const file = join(work, 'difft.json');
    await writeFile(file, cm('difft', { a: '1' }));
    const r = await t.kubectl(['diff', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('exits 1 and shows the change, without changing the object', async () => {
    const file = join(work, 'difft.json');
    await writeFile(file, cm('difft', { a: '2' }));
    const r = await t.kubectl(['diff', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^-  a: "1"$/m);
    expect(r.stdout).toMatch(/^\+  a: "2"$/m);
    expect(r.stdout).toMatch(/v1\.ConfigMap\.default\.difft/);
    // generation and resourceVersion do not show up as changes of a ConfigMap.
    expect(r.stdout).not.toMatch(/^[-+]\s+resourceVersion/m);
    expect(JSON.parse((await t.kubectl(['get', 'cm', 'difft', '-o', 'json'])).stdout).data).toEqual({ a: '1' });
  });

  it('shows a new object as all additions', async () => {
    const file = join(work, 'diff-new.json');
    await writeFile(file, cm('diff-new', { z: '1' }));
    const r = await t.kubectl(['diff', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\+  name: diff-new$/m);
    expect((await t.kubectl(['get', 'cm', 'diff-new'])).code).toBe(1);
  });
});

describe('kubectl edit', () => {
  it('applies what a KUBE_EDITOR script changes', async () => {
    await t.kubectl(['create', 'configmap', 'editme', '--from-literal=b=2']);
    const editor = join(work, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i -e "s/^  b: .*/  b: edited/" "$1"\n', { mode: 0o755 });
    const r = await t.kubectl(['edit', 'cm', 'editme'], { env: { KUBE_EDITOR: editor } });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('configmap/editme edited');
    const live = JSON.parse((await t.kubectl(['get', 'cm', 'editme', '-o', 'json', '--show-managed-fields'])).stdout);
    expect(live.data).toEqual({ b: 'edited' });
    expect(live.metadata.managedFields.map((m: any) => m.manager)).toContain('kubectl-edit');
  });

  it('an editor that changes nothing cancels the edit', async () => {
    const editor = join(work, 'noop.sh');
    await writeFile(editor, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const before = JSON.parse((await t.kubectl(['get', 'cm', 'editme', '-o', 'json'])).stdout);
    const r = await t.kubectl(['edit', 'cm', 'editme'], { env: { KUBE_EDITOR: editor } });
    expect(r.stderr).toMatch(/Edit cancelled, no changes made\./);
    const after = JSON.parse((await t.kubectl(['get', 'cm', 'editme', '-o', 'json'])).stdout);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('an invalid edit is refused with the server message and nothing changes', async () => {
    const editor = join(work, 'bad.sh');
    // Adds an invalid label on the first round; kubectl reopens the file with the error and gives up.
    await writeFile(editor, '#!/bin/sh\ngrep -q "bad key" "$1" || sed -i -e \'s/^metadata:$/metadata:\\n  labels: {"bad key!": x}/\' "$1"\n', { mode: 0o755 });
    const before = JSON.parse((await t.kubectl(['get', 'cm', 'editme', '-o', 'json'])).stdout);
    const r = await t.kubectl(['edit', 'cm', 'editme'], { env: { KUBE_EDITOR: editor } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: configmaps "editme" is invalid$/m);
    expect(r.stderr).toMatch(/Edit cancelled, no valid changes were saved\./);
    const after = JSON.parse((await t.kubectl(['get', 'cm', 'editme', '-o', 'json'])).stdout);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.labels).toBeUndefined();
  });
});
