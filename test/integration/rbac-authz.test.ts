/**
 * RBAC with the real kubectl: users without bindings are Forbidden with upstream's wording, Roles and
 * RoleBindings grant exactly what they say, `auth can-i` agrees, escalation and binding are checked,
 * impersonation needs permission, node identities are confined to their node, and aggregated roles fill.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueClientCert } from '../../src/pki/index.js';
import { writeKubeconfig } from '../../src/pki/kubeconfig.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

let t: TestServer;

/** A kubeconfig for a user with a client certificate signed by the cluster CA. */
async function kubeconfigFor(user: string, groups: string[] = []): Promise<string> {
  const pki = join(t.dataDir, 'pki');
  const [caCertPem, caKeyPem] = await Promise.all([readFile(join(pki, 'ca.crt'), 'utf8'), readFile(join(pki, 'ca.key'), 'utf8')]);
  const cert = await issueClientCert({ caCertPem, caKeyPem }, { user, groups });
  const path = join(t.dataDir, `kubeconfig-${user.replace(/[^a-z0-9]/gi, '_')}.yaml`);
  await writeKubeconfig(path, { server: t.url, caPem: caCertPem, certPem: cert.certPem, keyPem: cert.keyPem });
  return path;
}

const as = (user: string, args: string[]) => t.kubectl(['--as', user, ...args]);

beforeAll(async () => {
  t = await startTestServer({ disable: ['scheduler'] });
}, 60_000);
afterAll(async () => t?.stop());

describe('RBAC authorization', () => {
  it('forbids a user with no bindings, with upstream wording for list, get and cluster scope', async () => {
    const list = await as('bob', ['get', 'pods']);
    expect(list.code).not.toBe(0);
    expect(list.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
    const get = await as('bob', ['get', 'secret', 'x']);
    expect(get.stderr).toContain('secrets "x" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "default"');
    const nodes = await as('bob', ['get', 'nodes']);
    expect(nodes.stderr).toContain('nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope');
    const deploy = await as('bob', ['get', 'deployments.apps', 'web']);
    expect(deploy.stderr).toContain('deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" in the namespace "default"');
  });

  it('allows what a Role bound by a RoleBinding grants, in its namespace only; auth can-i agrees', async () => {
    expect((await t.kubectl(['auth', 'can-i', 'list', 'pods', '--as', 'bob'])).stdout.trim()).toBe('no');
    await t.ok(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods']);
    await t.ok(['create', 'rolebinding', 'bob-reads-pods', '--role=pod-reader', '--user=bob']);
    const r = await as('bob', ['get', 'pods']);
    expect(r.stderr).toContain('No resources found in default namespace.');
    expect(r.code).toBe(0);
    const can = await t.kubectl(['auth', 'can-i', 'list', 'pods', '--as', 'bob']);
    expect(can.stdout.trim()).toBe('yes');
    expect(can.code).toBe(0);
    const other = await t.kubectl(['auth', 'can-i', 'list', 'pods', '--as', 'bob', '-n', 'kube-system']);
    expect(other.stdout.trim()).toBe('no');
    expect((await as('bob', ['get', 'pods', '-n', 'kube-system'])).stderr).toContain(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "kube-system"');
    expect((await t.kubectl(['auth', 'can-i', 'delete', 'pods', '--as', 'bob'])).stdout.trim()).toBe('no');
    const listed = await t.kubectl(['auth', 'can-i', '--list', '--as', 'bob']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(listed.stdout).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    expect(listed.stdout).toMatch(/\[\/api\/\*\]\s+\[\]\s+\[get\]/);
  });

  it('groups and ServiceAccounts are subjects too', async () => {
    await t.ok(['create', 'clusterrole', 'node-reader', '--verb=get,list', '--resource=nodes']);
    await t.ok(['create', 'clusterrolebinding', 'ops-read-nodes', '--clusterrole=node-reader', '--group=ops']);
    expect((await t.kubectl(['auth', 'can-i', 'list', 'nodes', '--as', 'carol'])).stdout.trim()).toBe('no');
    expect((await t.kubectl(['auth', 'can-i', 'list', 'nodes', '--as', 'carol', '--as-group', 'ops'])).stdout.trim()).toBe('yes');
    await t.ok(['create', 'rolebinding', 'robot-reads', '--role=pod-reader', '--serviceaccount=default:robot']);
    expect((await t.kubectl(['auth', 'can-i', 'get', 'pods', '--as', 'system:serviceaccount:default:robot'])).stdout.trim()).toBe('yes');
    expect((await t.kubectl(['auth', 'can-i', 'get', 'pods', '--as', 'system:serviceaccount:default:other'])).stdout.trim()).toBe('no');
  });

  it('refuses a Role with permissions the user does not hold, unless the user may escalate', async () => {
    await t.ok(['create', 'role', 'role-writer', '--verb=create,get,list', '--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io']);
    await t.ok(['create', 'rolebinding', 'dave-writes-roles', '--role=role-writer', '--user=dave']);
    await t.ok(['create', 'rolebinding', 'dave-reads-pods', '--role=pod-reader', '--user=dave']);
    const refused = await as('dave', ['create', 'role', 'secret-reader', '--verb=get', '--resource=secrets']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "dave" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}');
    // What dave holds, dave may hand on.
    expect((await as('dave', ['create', 'role', 'pod-getter', '--verb=get', '--resource=pods'])).code).toBe(0);
    await t.ok(['create', 'role', 'role-escalator', '--verb=escalate', '--resource=roles.rbac.authorization.k8s.io']);
    await t.ok(['create', 'rolebinding', 'dave-escalates', '--role=role-escalator', '--user=dave']);
    const allowed = await as('dave', ['create', 'role', 'secret-reader', '--verb=get', '--resource=secrets']);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
  });

  it('refuses a binding to a role the user does not fully hold, unless the user may bind it', async () => {
    const refused = await as('dave', ['create', 'rolebinding', 'eve-edits', '--clusterrole=edit', '--user=eve']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('rolebindings.rbac.authorization.k8s.io "eve-edits" is forbidden: user "dave" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:');
    expect(refused.stderr).toContain('{APIGroups:[""], Resources:["secrets"], Verbs:[');
    expect((await as('dave', ['create', 'rolebinding', 'eve-reads', '--role=pod-reader', '--user=eve'])).code).toBe(0);
    await t.ok(['create', 'role', 'edit-binder', '--verb=bind', '--resource=clusterroles.rbac.authorization.k8s.io', '--resource-name=edit']);
    await t.ok(['create', 'rolebinding', 'dave-binds-edit', '--role=edit-binder', '--user=dave']);
    const allowed = await as('dave', ['create', 'rolebinding', 'eve-edits', '--clusterrole=edit', '--user=eve']);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect((await t.kubectl(['auth', 'can-i', 'create', 'deployments.apps', '--as', 'eve'])).stdout.trim()).toBe('yes');
  });

  it('impersonation needs the impersonate verb; whoami shows the impersonated user', async () => {
    const alice = await kubeconfigFor('alice');
    const refused = await t.kubectl(['--kubeconfig', alice, '--as', 'bob', 'get', 'pods']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    const sa = await t.kubectl(['--kubeconfig', alice, '--as', 'system:serviceaccount:default:robot', 'get', 'pods']);
    expect(sa.stderr).toContain('serviceaccounts "robot" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"');
    await t.ok(['create', 'clusterrole', 'impersonate-bob', '--verb=impersonate', '--resource=users', '--resource-name=bob']);
    await t.ok(['create', 'clusterrolebinding', 'alice-impersonates-bob', '--clusterrole=impersonate-bob', '--user=alice']);
    const ok = await t.kubectl(['--kubeconfig', alice, '--as', 'bob', 'get', 'pods']);
    expect(ok.code).toBe(0);
    const who = await t.kubectl(['--kubeconfig', alice, '--as', 'bob', 'auth', 'whoami', '-o', 'json']);
    expect(JSON.parse(who.stdout).status.userInfo).toEqual({ username: 'bob', groups: ['system:authenticated'] });
    const group = await t.kubectl(['--kubeconfig', alice, '--as', 'bob', '--as-group', 'admins', 'get', 'pods']);
    expect(group.stderr).toContain('groups "admins" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
    // Without impersonation alice is herself, with no grants.
    expect((await t.kubectl(['--kubeconfig', alice, 'get', 'pods'])).stderr).toContain('User "alice" cannot list resource "pods"');
    const whoAdmin = await t.kubectl(['--as', 'bob', 'auth', 'whoami']);
    expect(whoAdmin.stdout).toMatch(/Username\s+bob/);
  });

  it('a node identity may change its own Node and Lease but not another node\'s', async () => {
    for (const n of ['n1', 'n2']) {
      await t.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: n } }));
    }
    const node1 = await kubeconfigFor('system:node:n1', ['system:nodes']);
    const k = (args: string[]) => t.kubectl(['--kubeconfig', node1, ...args]);
    expect((await k(['get', 'nodes'])).code).toBe(0);
    const own = await k(['label', 'node', 'n1', 'zone=a']);
    expect(own.stderr).toBe('');
    const other = await k(['label', 'node', 'n2', 'zone=a']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    const lease = (name: string) => JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name } });
    expect((await t.kubectl(['--kubeconfig', node1, 'create', '-f', '-'], { input: lease('n1') })).code).toBe(0);
    const otherLease = await t.kubectl(['--kubeconfig', node1, 'create', '-f', '-'], { input: lease('n2') });
    expect(otherLease.stderr).toContain('can only access node lease with the same name as the requesting node');
    // Secrets only when a pod bound to the node uses them.
    await t.ok(['create', 'secret', 'generic', 's1', '--from-literal=k=v']);
    const before = await k(['get', 'secret', 's1']);
    expect(before.stderr).toContain(`secrets "s1" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`);
    await t.ok(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'uses-s1' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'k8ts.local/busybox:1.36', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } }] }] },
    }));
    expect((await k(['get', 'secret', 's1'])).code).toBe(0);
    // A node-2 identity may not see it, nor delete node-1's pod.
    const node2 = await kubeconfigFor('system:node:n2', ['system:nodes']);
    expect((await t.kubectl(['--kubeconfig', node2, 'get', 'secret', 's1'])).code).not.toBe(0);
    const del = await t.kubectl(['--kubeconfig', node2, 'delete', 'pod', 'uses-s1', '--wait=false']);
    expect(del.stderr).toContain('pods "uses-s1" is forbidden: User "system:node:n2" cannot delete resource "pods" in API group "" in the namespace "default"');
    expect((await t.kubectl(['--kubeconfig', node1, 'delete', 'pod', 'uses-s1', '--wait=false'])).code).toBe(0);
  });

  it('aggregates rules into view, edit and admin, and into custom aggregated roles', async () => {
    const view = JSON.parse(await t.ok(['get', 'clusterrole', 'view', '-o', 'json']));
    expect(view.aggregationRule.clusterRoleSelectors).toEqual([{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }]);
    await pollUntil(async () => {
      const admin = JSON.parse(await t.ok(['get', 'clusterrole', 'admin', '-o', 'json']));
      const rules = JSON.stringify(admin.rules ?? []);
      return rules.includes('"rolebindings"') && rules.includes('"secrets"') && rules.includes('"pods/log"');
    }, 'admin to aggregate edit and view', 100, 200);
    await t.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
      metadata: { name: 'widgets-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }],
    }));
    await pollUntil(async () => {
      const v = JSON.parse(await t.ok(['get', 'clusterrole', 'view', '-o', 'json']));
      return JSON.stringify(v.rules).includes('"widgets"');
    }, 'view to aggregate widgets-view', 100, 200);
    // Aggregation flows on: view → edit → admin.
    await pollUntil(async () => {
      const a = JSON.parse(await t.ok(['get', 'clusterrole', 'admin', '-o', 'json']));
      return JSON.stringify(a.rules).includes('"widgets"');
    }, 'admin to aggregate widgets-view through edit', 100, 200);
  });
});
