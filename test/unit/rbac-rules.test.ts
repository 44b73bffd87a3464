/** RBAC rule matching, coverage (the escalation check) and upstream's compact rule text; the bootstrap policy. */
import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from '../../src/apiserver/authz/bootstrap/policy.js';
import type { AuthorizationAttributes } from '../../src/apiserver/authz/index.js';
import { compactRules, compactString, ruleAllows, uncoveredRules, type PolicyRule } from '../../src/apiserver/authz/rbac/rules.js';
import { validatePolicyRules } from '../../src/api/strategy/rbac/rules.js';

const user = { username: 'u', groups: [] };
const res = (verb: string, group: string, resource: string, subresource = '', name = '', namespace = 'default'): AuthorizationAttributes =>
  ({ user, verb, isResourceRequest: true, group, resource, subresource, name, namespace });
const path = (verb: string, p: string): AuthorizationAttributes => ({ user, verb, isResourceRequest: false, path: p });

describe('ruleAllows', () => {
  const cases: [string, PolicyRule, AuthorizationAttributes, boolean][] = [
    ['exact', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', '', 'pods'), true],
    ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('list', '', 'pods'), false],
    ['other group', { verbs: ['get'], apiGroups: [''], resources: ['deployments'] }, res('get', 'apps', 'deployments'), false],
    ['verb wildcard', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, res('delete', '', 'pods'), true],
    ['group wildcard', { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, res('get', 'apps', 'deployments'), true],
    ['resource wildcard covers subresources', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, res('get', '', 'pods', 'log'), true],
    ['resource does not cover its subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', '', 'pods', 'log'), false],
    ['resource/subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', '', 'pods', 'log'), true],
    ['*/subresource', { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] }, res('update', 'apps', 'deployments', 'scale'), true],
    ['*/subresource needs that subresource', { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] }, res('update', 'apps', 'deployments'), false],
    ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, res('get', '', 'secrets', '', 'a'), true],
    ['resourceNames miss', { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, res('get', '', 'secrets', '', 'b'), false],
    ['resourceNames never match a list', { verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, res('list', '', 'secrets'), false],
    ['url exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, path('get', '/healthz'), true],
    ['url prefix', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, path('get', '/apis/apps/v1'), true],
    ['url other', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, path('get', '/metrics'), false],
    ['resource rule never matches a path', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, path('get', '/healthz'), false],
    ['url rule never matches a resource', { verbs: ['*'], nonResourceURLs: ['*'] }, res('get', '', 'pods'), false],
  ];
  it.each(cases)('%s', (_name, rule, attrs, want) => {
    expect(ruleAllows(attrs, rule)).toBe(want);
  });
});

describe('escalation coverage', () => {
  it('finds nothing missing when the owner holds a wildcard', () => {
    expect(uncoveredRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'] }])).toEqual([]);
  });
  it('names each missing verb, compacted per resource, as upstream prints it', () => {
    const owner: PolicyRule[] = [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }];
    const missing = uncoveredRules(owner, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'secrets'] }]);
    const text = compactRules(missing).map(compactString).sort();
    expect(text).toEqual(['{APIGroups:[""], Resources:["pods"], Verbs:["list"]}', '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}']);
  });
  it('a named grant does not cover an unnamed one; an unnamed grant covers named ones', () => {
    const named: PolicyRule[] = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
    expect(uncoveredRules(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }])).toHaveLength(1);
    expect(uncoveredRules(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }])).toEqual([]);
    expect(compactString(uncoveredRules(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['b'] }])[0]!))
      .toBe('{APIGroups:[""], Resources:["secrets"], ResourceNames:["b"], Verbs:["get"]}');
    expect(uncoveredRules([{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }], named)).toEqual([]);
  });
  it('*/subresource covers that subresource of any resource; non-resource URLs by prefix', () => {
    expect(uncoveredRules([{ verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }], [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }])).toEqual([]);
    expect(uncoveredRules([{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }])).toEqual([]);
    expect(compactString(uncoveredRules([{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }])[0]!))
      .toBe('{NonResourceURLs:["/metrics"], Verbs:["get"]}');
  });
});

describe('bootstrap policy', () => {
  it('every role passes ClusterRole validation and every binding names a bootstrap role', () => {
    for (const r of BOOTSTRAP_CLUSTER_ROLES) expect(validatePolicyRules(r.rules, false), r.name).toEqual([]);
    const names = new Set(BOOTSTRAP_CLUSTER_ROLES.map((r) => r.name));
    for (const b of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) expect(names.has(b.role), b.name).toBe(true);
  });

  const role = (name: string) => BOOTSTRAP_CLUSTER_ROLES.find((r) => r.name === name)!.rules;
  const allows = (rules: PolicyRule[], a: AuthorizationAttributes) => rules.some((r) => ruleAllows(a, r));
  // What the components do (src/controllers, src/scheduler): each must be allowed by its role.
  const needs: [string, AuthorizationAttributes][] = [
    ['system:kube-controller-manager', res('create', '', 'pods')],
    ['system:kube-controller-manager', res('create', 'apps', 'replicasets')],
    ['system:kube-controller-manager', res('create', 'apps', 'controllerrevisions')],
    ['system:kube-controller-manager', res('create', 'batch', 'jobs')],
    ['system:kube-controller-manager', res('create', '', 'persistentvolumeclaims')],
    ['system:kube-controller-manager', res('create', '', 'serviceaccounts')],
    ['system:kube-controller-manager', res('create', '', 'configmaps')],
    ['system:kube-controller-manager', res('create', '', 'events')],
    ['system:kube-controller-manager', res('update', 'apps', 'deployments', 'status')],
    ['system:kube-controller-manager', res('update', '', 'namespaces', 'finalize', 'x', '')],
    ['system:kube-controller-manager', res('deletecollection', 'example.com', 'widgets')],
    ['system:kube-controller-manager', res('patch', '', 'nodes', '', 'n', '')],
    ['system:kube-controller-manager', res('update', 'policy', 'poddisruptionbudgets', 'status')],
    ['system:kube-controller-manager', res('escalate', 'rbac.authorization.k8s.io', 'clusterroles', '', 'admin', '')],
    ['system:kube-scheduler', res('create', '', 'pods', 'binding', 'p')],
    ['system:kube-scheduler', res('patch', '', 'pods', 'status', 'p')],
    ['system:kube-scheduler', res('watch', '', 'namespaces', '', '', '')],
    ['system:kube-scheduler', res('list', '', 'nodes', '', '', '')],
    ['system:kube-scheduler', res('delete', '', 'pods', '', 'p')],
    ['system:basic-user', res('create', 'authorization.k8s.io', 'selfsubjectaccessreviews', '', '', '')],
    ['system:discovery', path('get', '/apis/apps/v1')],
    ['system:discovery', path('get', '/openapi/v3/apis/apps/v1')],
  ];
  it.each(needs)('%s may %o', (name, a) => {
    expect(allows(role(name), a)).toBe(true);
  });
  it('the scheduler may not read secrets; basic users may not list pods', () => {
    expect(allows(role('system:kube-scheduler'), res('get', '', 'secrets', '', 's'))).toBe(false);
    expect(allows(role('system:basic-user'), res('list', '', 'pods'))).toBe(false);
  });
});
