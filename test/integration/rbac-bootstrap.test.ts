/**
 * The default roles and bindings are there after start, and are reconciled at every start as upstream's
 * auto-reconcile: missing rules and subjects come back; a role annotated autoupdate=false is left alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allComponents, startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer | undefined;
let dataDir = '';
afterAll(async () => {
  await t?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const json = async (args: string[]) => JSON.parse(await t!.ok([...args, '-o', 'json']));

describe('bootstrap RBAC policy', () => {
  it('creates the default roles and bindings, and restores them at the next start', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'k8ts-rbac-boot-'));
    t = await startTestServer({ dataDir, disable: allComponents() });
    const roles = await t.ok(['get', 'clusterroles', '-o', 'name']);
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer',
      'system:node', 'system:node-proxier', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:volume-scheduler', 'system:monitoring']) {
      expect(roles).toContain(`clusterrole.rbac.authorization.k8s.io/${name}\n`);
    }
    const admin = await json(['get', 'clusterrolebinding', 'cluster-admin']);
    expect(admin.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    expect(admin.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate']).toBe('true');
    expect(admin.metadata.labels['kubernetes.io/bootstrapping']).toBe('rbac-defaults');
    const table = await t.ok(['get', 'clusterrolebinding', 'system:basic-user', '-o', 'wide']);
    expect(table).toMatch(/system:basic-user\s+ClusterRole\/system:basic-user\s+\S+\s+\s*system:authenticated/);

    // Strip a role and a binding; pin another role with autoupdate=false.
    const basic = await json(['get', 'clusterrole', 'system:basic-user']);
    await t.ok(['replace', '-f', '-'], JSON.stringify({ ...basic, rules: [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'], verbs: ['create'] }] }));
    const disc = await json(['get', 'clusterrolebinding', 'system:discovery']);
    await t.ok(['replace', '-f', '-'], JSON.stringify({ ...disc, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'someone' }] }));
    const mon = await json(['get', 'clusterrole', 'system:monitoring']);
    mon.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'] = 'false';
    await t.ok(['replace', '-f', '-'], JSON.stringify({ ...mon, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] }));
    // Without system:basic-user's SelfSubjectAccessReview rule, bob cannot even ask.
    expect((await t.kubectl(['auth', 'can-i', 'get', 'pods', '--as', 'bob'])).stderr).toContain(
      'selfsubjectaccessreviews.authorization.k8s.io is forbidden: User "bob" cannot create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');

    await t.stop();
    t = await startTestServer({ dataDir, disable: allComponents() });
    const basicAfter = await json(['get', 'clusterrole', 'system:basic-user']);
    expect(JSON.stringify(basicAfter.rules)).toContain('selfsubjectaccessreviews');
    expect(JSON.stringify(basicAfter.rules)).toContain('selfsubjectreviews');
    const discAfter = await json(['get', 'clusterrolebinding', 'system:discovery']);
    expect(discAfter.subjects.map((s: any) => s.name).sort()).toEqual(['someone', 'system:authenticated']);
    const monAfter = await json(['get', 'clusterrole', 'system:monitoring']);
    expect(monAfter.rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    const can = await t.kubectl(['auth', 'can-i', 'get', 'pods', '--as', 'bob']);
    expect(can.stdout.trim()).toBe('no');
    expect(can.stderr).toBe('');
  }, 120_000);
});
