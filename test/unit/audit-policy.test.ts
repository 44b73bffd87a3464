/** Audit policy evaluation: the first matching rule decides the level; table-driven over upstream's rule fields. */
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, parseAuditPolicy, type AuditRequest } from '../../src/apiserver/audit/index.js';

const policy = parseAuditPolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: None
    userGroups: ["system:nodes"]
    resources: [{group: "", resources: ["nodes/status"]}]
  - level: RequestResponse
    resources: [{group: "", resources: ["pods/log", "pods/status"]}]
  - level: Request
    resources: [{group: "apps", resources: ["*/scale"]}]
  - level: Metadata
    resources: [{group: "", resources: ["secrets", "configmaps"], resourceNames: ["controller-leader"]}]
    omitStages: [ResponseComplete]
  - level: Request
    namespaces: ["kube-system"]
  - level: Metadata
    nonResourceURLs: ["/healthz*", "/version"]
  - level: RequestResponse
    resources: [{group: "", resources: ["pods/*"]}]
`);

const req = (o: Partial<AuditRequest>): AuditRequest => ({
  user: { username: 'alice', groups: ['system:authenticated'] }, verb: 'get', isResourceRequest: true, path: '/api/v1/x',
  group: '', namespace: 'default', resource: 'pods', subresource: '', name: 'p', ...o,
});

describe('evaluatePolicy', () => {
  it.each<[string, Partial<AuditRequest>, string]>([
    ['kube-proxy watches', { user: { username: 'system:kube-proxy', groups: [] }, verb: 'watch', resource: 'endpoints' }, 'None'],
    ['kube-proxy gets (verb does not match)', { user: { username: 'system:kube-proxy', groups: [] }, resource: 'endpoints' }, 'None'],
    ['node status by a node', { user: { username: 'system:node:n1', groups: ['system:nodes'] }, resource: 'nodes', subresource: 'status', namespace: '' }, 'None'],
    ['pod logs', { subresource: 'log' }, 'RequestResponse'],
    ['any scale in apps', { group: 'apps', resource: 'deployments', subresource: 'scale' }, 'Request'],
    ['scale in core does not match the apps rule', { resource: 'replicationcontrollers', subresource: 'scale' }, 'None'],
    ['named configmap', { resource: 'configmaps', name: 'controller-leader' }, 'Metadata'],
    ['other configmap', { resource: 'configmaps', name: 'x' }, 'None'],
    ['anything in kube-system', { namespace: 'kube-system', resource: 'services' }, 'Request'],
    ['healthz prefix', { isResourceRequest: false, path: '/healthz/etcd', resource: '' }, 'Metadata'],
    ['version exact', { isResourceRequest: false, path: '/version', resource: '' }, 'Metadata'],
    ['non-resource rules do not match resources', { resource: 'services' }, 'None'],
    ['pods/* matches subresources only', { subresource: 'exec' }, 'RequestResponse'],
    ['no rule matches: None', { resource: 'pods' }, 'None'],
  ])('%s', (_name, r, level) => {
    expect(evaluatePolicy(policy, req(r)).level).toBe(level);
  });

  it('joins the policy and rule omitStages', () => {
    expect(evaluatePolicy(policy, req({ resource: 'secrets', name: 'controller-leader' })).omitStages.sort()).toEqual(['RequestReceived', 'ResponseComplete']);
  });

  it.each([
    ['apiVersion: v1\nkind: Policy\n', /expected kind Policy/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Verbose}]\n', /Unsupported value: "Verbose"/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: ["/x"], namespaces: [a]}]\n', /both regular resources and non-resource URLs/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [Later]\n', /Unsupported value: "Later"/],
  ])('rejects %j', (text, err) => {
    expect(() => parseAuditPolicy(text)).toThrow(err);
  });
});
