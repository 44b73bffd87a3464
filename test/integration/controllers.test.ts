/**
 * The namespace controller and the garbage collector, driven with the real kubectl against an
 * in-process server: they run as API clients of that server, as in `k8ts server`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
  await t.server.controllers.synced;
});
afterAll(async () => {
  await t?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => t.ok(args, input);

const eventually = (check: () => Promise<boolean>, what: string): Promise<void> => pollUntil(check, what, 300);

const exists = async (...args: string[]): Promise<boolean> => (await t.kubectl(['get', ...args])).code === 0;

/** A Secret owned by the ConfigMap `owner` in the default namespace. */
async function ownedSecret(name: string, ownerName: string, extra: Record<string, unknown> = {}): Promise<void> {
  const uid = await ok(['get', 'cm', ownerName, '-o', 'jsonpath={.metadata.uid}']);
  await ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: ownerName, uid, ...extra }] },
  }));
}

describe('controllers', () => {
  it('lists the controllers that run', () => {
    expect(t.server.controllers.names).toEqual(expect.arrayContaining(['namespace', 'garbagecollector']));
  });

  it('kubectl delete ns removes the namespace and everything in it', async () => {
    await ok(['create', 'ns', 'doomed']);
    await ok(['-n', 'doomed', 'create', 'configmap', 'c1', '--from-literal=a=b']);
    await ok(['-n', 'doomed', 'create', 'secret', 'generic', 's1', '--from-literal=a=b']);
    await ok(['-n', 'doomed', 'create', 'deployment', 'web', '--image=nginx']);
    const del = await t.kubectl(['delete', 'ns', 'doomed'], { timeoutMs: 60_000 });
    expect(del).toMatchObject({ code: 0, stdout: 'namespace "doomed" deleted\n' });
    const ns = await t.kubectl(['get', 'ns', 'doomed']);
    expect(ns.code).not.toBe(0);
    expect(ns.stderr).toContain('namespaces "doomed" not found');
    // Nothing of its content is left behind (a namespace of the same name starts empty).
    await ok(['create', 'ns', 'doomed']);
    // (Only the cluster CA ConfigMap the root CA publisher puts in every namespace.)
    const left = await ok(['-n', 'doomed', 'get', 'configmaps,secrets,deployments', '-o', 'name']);
    expect(left.split('\n').filter((l) => l && l !== 'configmap/kube-root-ca.crt')).toEqual([]);
  });

  it('a namespace whose content is held by a finalizer stays Terminating with upstream conditions, then goes', async () => {
    await ok(['create', 'ns', 'held']);
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stuck', namespace: 'held', finalizers: ['example.com/hold'] } }));
    await ok(['delete', 'ns', 'held', '--wait=false']);
    await eventually(async () => (await ok(['get', 'ns', 'held', '-o', 'jsonpath={.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].status}'])) === 'True', 'the finalizer condition');
    const ns = JSON.parse(await ok(['get', 'ns', 'held', '-o', 'json']));
    expect(ns.status.phase).toBe('Terminating');
    const cond = (type: string) => ns.status.conditions.find((c: { type: string }) => c.type === type);
    expect(cond('NamespaceContentRemaining')).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps has 1 resource instances' });
    expect(cond('NamespaceFinalizersRemaining')).toMatchObject({ status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(cond('NamespaceDeletionContentFailure')).toMatchObject({ status: 'False', reason: 'ContentDeleted' });
    expect(await exists('-n', 'held', 'cm', 'stuck')).toBe(true);

    await ok(['-n', 'held', 'patch', 'cm', 'stuck', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await ok(['wait', '--for=delete', 'ns/held', '--timeout=30s']);
    expect(await exists('ns', 'held')).toBe(false);
  });

  it('deletes a dependent in the background once its owner is gone', async () => {
    await ok(['create', 'configmap', 'bg-owner']);
    await ownedSecret('bg-dependent', 'bg-owner');
    await ok(['delete', 'configmap', 'bg-owner']);
    await eventually(async () => !(await exists('secret', 'bg-dependent')), 'the dependent to be collected');
  });

  it('keeps a dependent that still has another owner, dropping the reference to the one gone', async () => {
    await ok(['create', 'configmap', 'two-a']);
    await ok(['create', 'configmap', 'two-b']);
    const a = await ok(['get', 'cm', 'two-a', '-o', 'jsonpath={.metadata.uid}']);
    const b = await ok(['get', 'cm', 'two-b', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name: 'two-owners', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'two-a', uid: a }, { apiVersion: 'v1', kind: 'ConfigMap', name: 'two-b', uid: b }] },
    }));
    await ok(['delete', 'configmap', 'two-a']);
    await eventually(async () => (await ok(['get', 'secret', 'two-owners', '-o', 'jsonpath={.metadata.ownerReferences[*].name}'])) === 'two-b', 'the dangling reference to go');
    expect(await exists('secret', 'two-owners')).toBe(true);
  });

  it('deletes an object with a missing owner that never existed', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name: 'ghost-child', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000001' }] },
    }));
    await eventually(async () => !(await exists('secret', 'ghost-child')), 'the orphan to be collected');
  });

  it('kubectl delete --cascade=foreground deletes blocking dependents first, then the owner', async () => {
    await ok(['create', 'configmap', 'fg-owner']);
    await ownedSecret('fg-blocking', 'fg-owner', { blockOwnerDeletion: true });
    // The blocking dependent is held by a finalizer: the owner waits for it.
    const uid = await ok(['get', 'cm', 'fg-owner', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['patch', 'secret', 'fg-blocking', '--type=merge', '-p', JSON.stringify({ metadata: { finalizers: ['example.com/hold'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid, blockOwnerDeletion: true }] } })]);
    await ok(['delete', 'configmap', 'fg-owner', '--cascade=foreground', '--wait=false']);
    await eventually(async () => (await ok(['get', 'secret', 'fg-blocking', '-o', 'jsonpath={.metadata.deletionTimestamp}'])) !== '', 'the dependent to be deleted');
    const owner = JSON.parse(await ok(['get', 'cm', 'fg-owner', '-o', 'json']));
    expect(owner.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(owner.metadata.deletionTimestamp).toBeTruthy();

    await ok(['patch', 'secret', 'fg-blocking', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await ok(['wait', '--for=delete', 'configmap/fg-owner', '--timeout=30s']);
    expect(await exists('secret', 'fg-blocking')).toBe(false);
  });

  it('kubectl delete --cascade=foreground returns once the owner and its dependents are gone', async () => {
    await ok(['create', 'configmap', 'fg2-owner']);
    await ownedSecret('fg2-dependent', 'fg2-owner', { blockOwnerDeletion: true });
    const del = await t.kubectl(['delete', 'configmap', 'fg2-owner', '--cascade=foreground'], { timeoutMs: 60_000 });
    expect(del).toMatchObject({ code: 0, stdout: 'configmap "fg2-owner" deleted\n' });
    expect(await exists('configmap', 'fg2-owner')).toBe(false);
    expect(await exists('secret', 'fg2-dependent')).toBe(false);
  });

  it('kubectl delete --cascade=orphan leaves the dependent without its ownerReference', async () => {
    await ok(['create', 'configmap', 'or-owner']);
    await ok(['create', 'configmap', 'other-owner']);
    await ownedSecret('or-dependent', 'or-owner');
    const otherUid = await ok(['get', 'cm', 'other-owner', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['patch', 'secret', 'or-dependent', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/metadata/ownerReferences/-', value: { apiVersion: 'v1', kind: 'ConfigMap', name: 'other-owner', uid: otherUid } }])]);
    const del = await t.kubectl(['delete', 'configmap', 'or-owner', '--cascade=orphan'], { timeoutMs: 60_000 });
    expect(del).toMatchObject({ code: 0, stdout: 'configmap "or-owner" deleted\n' });
    await ok(['wait', '--for=delete', 'configmap/or-owner', '--timeout=30s']);
    const dep = JSON.parse(await ok(['get', 'secret', 'or-dependent', '-o', 'json']));
    expect(dep.metadata.ownerReferences.map((r: { name: string }) => r.name)).toEqual(['other-owner']);

    // With its only owner orphaning it, a dependent keeps no ownerReferences at all.
    await ownedSecret('or-only', 'other-owner');
    await ok(['delete', 'secret', 'or-dependent']);
    await ok(['delete', 'configmap', 'other-owner', '--cascade=orphan']);
    await ok(['wait', '--for=delete', 'configmap/other-owner', '--timeout=30s']);
    const only = JSON.parse(await ok(['get', 'secret', 'or-only', '-o', 'json']));
    expect(only.metadata.ownerReferences).toBeUndefined();
  });

  it('a Deployment owning a ReplicaSet: background delete collects the ReplicaSet', async () => {
    await ok(['create', 'deployment', 'gc-web', '--image=nginx']);
    const uid = await ok(['get', 'deploy', 'gc-web', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'gc-web-rs', labels: { app: 'gc-web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gc-web', uid, controller: true, blockOwnerDeletion: true }] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'gc-web' } }, template: { metadata: { labels: { app: 'gc-web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }));
    await ok(['delete', 'deployment', 'gc-web']);
    await eventually(async () => !(await exists('replicaset', 'gc-web-rs')), 'the ReplicaSet to be collected');
  });
});

describe('--disable', () => {
  it('leaves the named controllers out', async () => {
    const s = await startTestServer({ disable: ['garbagecollector', 'namespace'] });
    try {
      expect(s.server.controllers.names).not.toContain('namespace');
      expect(s.server.controllers.names).not.toContain('garbagecollector');
      await s.kubectl(['create', 'ns', 'stays']);
      const r = await s.kubectl(['delete', 'ns', 'stays', '--wait=false']);
      expect(r.code).toBe(0);
      const phase = await s.kubectl(['get', 'ns', 'stays', '-o', 'jsonpath={.status.phase}']);
      expect(phase.stdout).toBe('Terminating');
    } finally {
      await s.stop();
    }
  });
});
