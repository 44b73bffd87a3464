/**
 * The bootstrap RBAC policy: the default ClusterRoles and ClusterRoleBindings (facts of upstream's
 * bootstrap policy: names, labels, who is bound to what, and the permissions each component needs).
 * k8ts runs every controller under one identity, system:kube-controller-manager, so its role is the
 * union of what the controllers in src/controllers do (list/watch/delete/patch of every resource for the
 * garbage collector and namespace controller, writes of the workloads they manage), not upstream's
 * per-controller ServiceAccounts.
 */
import type { PolicyRule } from '../rbac/rules.js';

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AGG = 'rbac.authorization.k8s.io/aggregate-to-';

export interface BootstrapClusterRole {
  name: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  /** Aggregated roles get their rules from the clusterrole-aggregation controller. */
  aggregateFrom?: string[];
}

export interface BootstrapClusterRoleBinding {
  name: string;
  role: string;
  subjects: { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const viewRules: PolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods',
    'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status',
    'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale',
    'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale',
    'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
    'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status',
    'replicationcontrollers/scale']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const editRules: PolicyRule[] = [
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers',
    'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets',
    'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses',
    'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(WRITE, ['coordination.k8s.io'], ['leases']),
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
];

const adminRules: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...WRITE, ...READ], ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

const nodeRules: PolicyRule[] = [
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
  rule(READ, [''], ['services']),
  rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  rule(['patch', 'update'], [''], ['nodes/status']),
  rule(['patch', 'update'], [''], ['nodes']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(READ, [''], ['pods']),
  rule(['create', 'delete'], [''], ['pods']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(['get'], [''], ['configmaps', 'secrets']),
  rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['get'], [''], ['endpoints']),
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
  rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
  rule(READ, ['storage.k8s.io'], ['csidrivers']),
  rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
  rule(READ, ['node.k8s.io'], ['runtimeclasses']),
];

const schedulerRules: PolicyRule[] = [
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  rule(READ, [''], ['nodes']),
  rule(['delete', ...READ], [''], ['pods']),
  rule(['create'], [''], ['bindings', 'pods/binding']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(['list', 'watch'], [''], ['replicationcontrollers', 'services', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes']),
  rule(['list', 'watch'], ['apps', 'extensions'], ['replicasets']),
  rule(['list', 'watch'], ['apps'], ['statefulsets']),
  rule(['list', 'watch'], ['policy'], ['poddisruptionbudgets']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  rule(['list', 'watch'], ['storage.k8s.io'], ['csinodes', 'csidrivers', 'csistoragecapacities', 'storageclasses']),
  rule(READ, ['scheduling.k8s.io'], ['priorityclasses']),
];

const controllerManagerRules: PolicyRule[] = [
  // Garbage collector, namespace and quota controllers walk every resource.
  rule([...READ, 'delete', 'deletecollection', 'patch', 'update'], ['*'], ['*']),
  rule(['create'], [''], ['pods', 'serviceaccounts', 'persistentvolumeclaims', 'events', 'endpoints', 'services', 'configmaps', 'secrets']),
  // The local-path provisioner (run with the controllers) creates volumes and the default StorageClass.
  rule(['create'], [''], ['persistentvolumes']),
  rule(['create'], ['storage.k8s.io'], ['storageclasses']),
  rule(['create'], [''], ['serviceaccounts/token', 'pods/eviction', 'pods/binding']),
  rule(['create', 'patch', 'update'], ['events.k8s.io'], ['events']),
  rule(['create'], ['apps'], ['replicasets', 'controllerrevisions', 'deployments', 'statefulsets', 'daemonsets']),
  rule(['create'], ['batch'], ['jobs']),
  rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  // The clusterrole-aggregation controller writes rules it may not hold itself.
  rule(['escalate'], ['rbac.authorization.k8s.io'], ['clusterroles']),
  urls(['get'], ['/healthz', '/livez', '/readyz']),
];

export const BOOTSTRAP_CLUSTER_ROLES: BootstrapClusterRole[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])], labels: BOOTSTRAP_LABEL },
  { name: 'admin', rules: [], labels: BOOTSTRAP_LABEL, aggregateFrom: [`${AGG}admin`] },
  { name: 'edit', rules: [], labels: { ...BOOTSTRAP_LABEL, [`${AGG}admin`]: 'true' }, aggregateFrom: [`${AGG}edit`] },
  { name: 'view', rules: [], labels: { ...BOOTSTRAP_LABEL, [`${AGG}edit`]: 'true' }, aggregateFrom: [`${AGG}view`] },
  { name: 'system:aggregate-to-admin', rules: adminRules, labels: { ...BOOTSTRAP_LABEL, [`${AGG}admin`]: 'true' } },
  { name: 'system:aggregate-to-edit', rules: editRules, labels: { ...BOOTSTRAP_LABEL, [`${AGG}edit`]: 'true' } },
  { name: 'system:aggregate-to-view', rules: viewRules, labels: { ...BOOTSTRAP_LABEL, [`${AGG}view`]: 'true' } },
  {
    name: 'system:basic-user', labels: BOOTSTRAP_LABEL,
    rules: [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ],
  },
  {
    name: 'system:discovery', labels: BOOTSTRAP_LABEL,
    rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])],
  },
  { name: 'system:public-info-viewer', labels: BOOTSTRAP_LABEL, rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  {
    name: 'system:monitoring', labels: BOOTSTRAP_LABEL,
    rules: [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])],
  },
  { name: 'system:node', labels: BOOTSTRAP_LABEL, rules: nodeRules },
  {
    name: 'system:node-proxier', labels: BOOTSTRAP_LABEL,
    rules: [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      rule(READ, [''], ['nodes']),
      rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  },
  { name: 'system:kube-scheduler', labels: BOOTSTRAP_LABEL, rules: schedulerRules },
  {
    name: 'system:volume-scheduler', labels: BOOTSTRAP_LABEL,
    rules: [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims']),
    ],
  },
  { name: 'system:kube-controller-manager', labels: BOOTSTRAP_LABEL, rules: controllerManagerRules },
  {
    name: 'system:auth-delegator', labels: BOOTSTRAP_LABEL,
    rules: [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  {
    name: 'system:kubelet-api-admin', labels: BOOTSTRAP_LABEL,
    rules: [
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/proxy', 'nodes/log', 'nodes/stats', 'nodes/metrics', 'nodes/spec', 'nodes/checkpoint', 'nodes/configz', 'nodes/healthz', 'nodes/pods']),
    ],
  },
  { name: 'system:node-bootstrapper', labels: BOOTSTRAP_LABEL, rules: [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  {
    name: 'system:service-account-issuer-discovery', labels: BOOTSTRAP_LABEL,
    rules: [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])],
  },
];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: BootstrapClusterRoleBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: [{ kind: 'Group', name: 'system:masters' }] },
  { name: 'system:basic-user', role: 'system:basic-user', subjects: [{ kind: 'Group', name: 'system:authenticated' }] },
  { name: 'system:discovery', role: 'system:discovery', subjects: [{ kind: 'Group', name: 'system:authenticated' }] },
  {
    name: 'system:public-info-viewer', role: 'system:public-info-viewer',
    subjects: [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }],
  },
  { name: 'system:monitoring', role: 'system:monitoring', subjects: [{ kind: 'Group', name: 'system:monitoring' }] },
  { name: 'system:node-proxier', role: 'system:node-proxier', subjects: [{ kind: 'User', name: 'system:kube-proxy' }] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: [{ kind: 'User', name: 'system:kube-scheduler' }] },
  { name: 'system:volume-scheduler', role: 'system:volume-scheduler', subjects: [{ kind: 'User', name: 'system:kube-scheduler' }] },
  {
    name: 'system:kube-controller-manager', role: 'system:kube-controller-manager',
    subjects: [{ kind: 'User', name: 'system:kube-controller-manager' }],
  },
  {
    name: 'system:service-account-issuer-discovery', role: 'system:service-account-issuer-discovery',
    subjects: [{ kind: 'Group', name: 'system:serviceaccounts' }],
  },
  // As upstream since 1.8, system:node is bound to nobody: nodes are authorized by the Node authorizer.
];
