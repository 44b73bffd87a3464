/**
 * The RBAC and Node authorizers over a real store and watch cache, behind the union (system:masters
 * short-circuit, re-check after syncing the cache); impersonation header handling.
 */
import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { impersonate, type ImpersonationCheck } from '../../src/apiserver/authn/impersonation.js';
import type { AuthorizationAttributes } from '../../src/apiserver/authz/index.js';
import { authorizerForModes } from '../../src/apiserver/authz/union.js';
import { forbiddenError } from '../../src/apiserver/authz/forbidden.js';
import { WatchCache } from '../../src/apiserver/watch-cache.js';
import { createStore } from '../../src/storage/registry.js';
import type { Store } from '../../src/storage/store.js';

let dir: string;
let store: Store;
let cache: WatchCache;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-rbac-unit-'));
  store = await createStore('sqlite', { dataDir: dir });
  cache = new WatchCache(store);
  await cache.start();
});
afterEach(async () => {
  await cache.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const RBAC = '/registry/rbac.authorization.k8s.io';
const put = (key: string, obj: unknown) => store.create(key, JSON.stringify(obj));
const role = (ns: string, name: string, rules: unknown[]) => put(`${RBAC}/roles/${ns}/${name}`, { kind: 'Role', metadata: { name, namespace: ns }, rules });
const clusterRole = (name: string, rules: unknown[]) => put(`${RBAC}/clusterroles/${name}`, { kind: 'ClusterRole', metadata: { name }, rules });
const roleBinding = (ns: string, name: string, roleRef: unknown, subjects: unknown[]) =>
  put(`${RBAC}/rolebindings/${ns}/${name}`, { kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef, subjects });
const clusterRoleBinding = (name: string, roleRef: unknown, subjects: unknown[]) =>
  put(`${RBAC}/clusterrolebindings/${name}`, { kind: 'ClusterRoleBinding', metadata: { name }, roleRef, subjects });
const pod = (ns: string, name: string, spec: unknown) => put(`/registry/core/pods/${ns}/${name}`, { kind: 'Pod', metadata: { name, namespace: ns }, spec });

const u = (username: string, groups: string[] = ['system:authenticated']) => ({ username, groups });
const attrs = (user: ReturnType<typeof u>, verb: string, resource: string, o: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes =>
  ({ user, verb, isResourceRequest: true, group: '', resource, subresource: '', namespace: 'default', name: '', ...o });

function union() {
  const a = authorizerForModes(['Node', 'RBAC']);
  a.attach?.({ cache });
  return a;
}

describe('RBAC authorizer', () => {
  it('grants through Roles, ClusterRoles, groups and ServiceAccounts; nothing else', async () => {
    await role('default', 'reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    await clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    await roleBinding('default', 'bob-reader', { kind: 'Role', name: 'reader' }, [{ kind: 'User', name: 'bob' }]);
    await roleBinding('default', 'sa-secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [{ kind: 'ServiceAccount', name: 'robot' }]);
    await clusterRoleBinding('ops-secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [{ kind: 'Group', name: 'ops' }]);
    const a = union();
    const yes = async (x: AuthorizationAttributes) => (await a.authorize(x)).allowed;
    expect(await yes(attrs(u('bob'), 'list', 'pods'))).toBe(true);
    expect(await yes(attrs(u('bob'), 'delete', 'pods', { name: 'p' }))).toBe(false);
    expect(await yes(attrs(u('bob'), 'list', 'pods', { namespace: 'other' }))).toBe(false);
    expect(await yes(attrs(u('carol', ['system:authenticated', 'ops']), 'get', 'secrets', { namespace: 'any', name: 's' }))).toBe(true);
    // A ClusterRole bound by a RoleBinding grants only in the binding's namespace; SA subjects default to it.
    const robot = u('system:serviceaccount:default:robot', ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    expect(await yes(attrs(robot, 'get', 'secrets', { name: 's' }))).toBe(true);
    expect(await yes(attrs(robot, 'get', 'secrets', { namespace: 'kube-system', name: 's' }))).toBe(false);
    expect(await yes(attrs(u('system:serviceaccount:other:robot'), 'get', 'secrets', { name: 's' }))).toBe(false);
    // Masters need no binding.
    expect(await yes(attrs(u('admin', ['system:masters']), 'delete', 'nodes', { namespace: '', name: 'n' }))).toBe(true);
    expect(a.rulesFor!(u('bob'), 'default').resourceRules).toEqual([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]);
  });

  it('sees a binding written just before the request, and loses it when deleted', async () => {
    const a = union();
    await clusterRole('viewer', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }]);
    await clusterRoleBinding('dave-views', { kind: 'ClusterRole', name: 'viewer' }, [{ kind: 'User', name: 'dave' }]);
    expect((await a.authorize(attrs(u('dave'), 'get', 'deployments', { group: 'apps', name: 'd' }))).allowed).toBe(true);
    await store.delete(`${RBAC}/clusterrolebindings/dave-views`);
    await cache.sync();
    expect((await a.authorize(attrs(u('dave'), 'get', 'deployments', { group: 'apps', name: 'd' }))).allowed).toBe(false);
  });
});

describe('Node authorizer', () => {
  const n1 = u('system:node:n1', ['system:nodes', 'system:authenticated']);
  it('reads what pods bound to the node reference, and writes only its pods and lease', async () => {
    await pod('default', 'mine', { nodeName: 'n1', volumes: [{ name: 'v', secret: { secretName: 's1' } }], containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cm1' } }] }] });
    await pod('default', 'theirs', { nodeName: 'n2', volumes: [{ name: 'v', secret: { secretName: 's2' } }], containers: [{ name: 'c' }] });
    const a = union();
    const d = (x: AuthorizationAttributes) => a.authorize(x);
    expect((await d(attrs(n1, 'get', 'secrets', { name: 's1' }))).allowed).toBe(true);
    expect((await d(attrs(n1, 'get', 'configmaps', { name: 'cm1' }))).allowed).toBe(true);
    const other = await d(attrs(n1, 'get', 'secrets', { name: 's2' }));
    expect(other).toEqual({ allowed: false, reason: "no relationship found between node 'n1' and this object" });
    expect((await d(attrs(n1, 'list', 'secrets'))).reason).toBe('can only get individual resources of this type');
    expect((await d(attrs(n1, 'patch', 'pods', { name: 'mine', subresource: 'status' }))).allowed).toBe(true);
    expect((await d(attrs(n1, 'patch', 'pods', { name: 'theirs', subresource: 'status' }))).allowed).toBe(false);
    expect((await d(attrs(n1, 'delete', 'pods', { name: 'theirs' }))).allowed).toBe(false);
    expect((await d(attrs(n1, 'update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1' }))).allowed).toBe(true);
    expect((await d(attrs(n1, 'update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n2' }))).allowed).toBe(false);
    expect((await d(attrs(n1, 'watch', 'pods', { namespace: '' }))).allowed).toBe(true);
    expect((await d(attrs(n1, 'create', 'serviceaccounts', { name: 'default', subresource: 'token' }))).allowed).toBe(true);
    // The group is needed as well as the name.
    expect((await d(attrs(u('system:node:n1'), 'get', 'secrets', { name: 's1' }))).allowed).toBe(false);
  });
});

describe('impersonation', () => {
  const req = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;
  it('checks every requested identity, in order, and builds the impersonated user', async () => {
    const seen: ImpersonationCheck[] = [];
    const user = await impersonate(
      req({ 'impersonate-user': 'system:serviceaccount:ns1:bot', 'impersonate-group': ['g1', 'g2'], 'impersonate-uid': 'u-1', 'impersonate-extra-scopes%2fa': 'x, y' }),
      u('alice'), async (c) => { seen.push(c); return { allowed: true, reason: '' }; }, forbiddenError,
    );
    expect(seen.map((c) => [c.group, c.resource, c.subresource, c.namespace, c.name])).toEqual([
      ['', 'serviceaccounts', '', 'ns1', 'bot'], ['', 'groups', '', '', 'g1'], ['', 'groups', '', '', 'g2'],
      ['authentication.k8s.io', 'userextras', 'scopes/a', '', 'x'], ['authentication.k8s.io', 'userextras', 'scopes/a', '', 'y'],
      ['authentication.k8s.io', 'uids', '', '', 'u-1'],
    ]);
    expect(user).toEqual({
      username: 'system:serviceaccount:ns1:bot', uid: 'u-1', extra: { 'scopes/a': ['x', 'y'] },
      groups: ['g1', 'g2', 'system:authenticated'],
    });
    const sa = await impersonate(req({ 'impersonate-user': 'system:serviceaccount:ns1:bot' }), u('alice'), async () => ({ allowed: true, reason: '' }), forbiddenError);
    expect(sa.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  });
  it('refuses with upstream wording, and groups without a user', async () => {
    const no = async () => ({ allowed: false, reason: '' });
    await expect(impersonate(req({ 'impersonate-user': 'bob' }), u('alice'), no, forbiddenError)).rejects.toThrow(
      'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    await expect(impersonate(req({ 'impersonate-group': 'g' }), u('alice'), no, forbiddenError)).rejects.toMatchObject({ code: 400 });
  });
});
