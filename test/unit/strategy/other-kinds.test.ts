import { describe, expect, it } from 'vitest';
import { strategyKinds } from '../../../src/api/strategy/index.js';
import { createErrors, defaulted, updateErrors } from './helpers.js';

const ns = (name: string) => ({ name, namespace: 'default' });

describe('storage', () => {
  it('PVC defaults and requirements', () => {
    const pvc = { metadata: ns('c'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    expect(defaulted('', 'PersistentVolumeClaim', pvc)).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
    expect(createErrors('', 'PersistentVolumeClaim', pvc)).toEqual([]);
    expect(createErrors('', 'PersistentVolumeClaim', { metadata: ns('c'), spec: {} })).toEqual([
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
  });
  it('PVC spec is immutable except requests', () => {
    const old = { metadata: ns('c'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const grown = structuredClone(old);
    grown.spec.resources.requests.storage = '2Gi';
    expect(updateErrors('', 'PersistentVolumeClaim', grown, old)).toEqual([]);
    const changed = structuredClone(old);
    changed.spec.accessModes = ['ReadWriteMany'];
    expect(updateErrors('', 'PersistentVolumeClaim', changed, old)).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
  });
  it('PV defaults', () => {
    const pv = defaulted('', 'PersistentVolume', { metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/d' } } });
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: '/d', type: '' } });
    expect(pv.status).toEqual({ phase: 'Pending' });
    expect(createErrors('', 'PersistentVolume', pv)).toEqual([]);
  });
  it('StorageClass defaults and immutability', () => {
    const sc = defaulted('storage.k8s.io', 'StorageClass', { metadata: { name: 'fast' }, provisioner: 'k8ts.io/local' });
    expect(sc).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    expect(createErrors('storage.k8s.io', 'StorageClass', { metadata: { name: 'x' } })).toEqual(['provisioner: Required value']);
    expect(updateErrors('storage.k8s.io', 'StorageClass', { ...sc, parameters: { a: 'b' } }, sc)).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
    ]);
  });
});

describe('networking', () => {
  const ing = (paths: any[]) => ({ metadata: ns('i'), spec: { rules: [{ host: 'example.com', http: { paths } }] } });
  it('Ingress paths need a pathType and a backend', () => {
    expect(createErrors('networking.k8s.io', 'Ingress', ing([{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }]))).toEqual([]);
    expect(createErrors('networking.k8s.io', 'Ingress', ing([{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }]))).toEqual([
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    ]);
    expect(createErrors('networking.k8s.io', 'Ingress', ing([{ path: 'x', pathType: 'Exact', backend: { service: { name: 'web' } } }]))).toEqual([
      'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
      'spec.rules[0].http.paths[0].backend.service: Required value: port name or port number is required',
    ]);
  });
  it('NetworkPolicy policyTypes default', () => {
    expect(defaulted('networking.k8s.io', 'NetworkPolicy', { metadata: ns('n'), spec: { podSelector: {} } }).spec.policyTypes).toEqual(['Ingress']);
    const np = defaulted('networking.k8s.io', 'NetworkPolicy', { metadata: ns('n'), spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } });
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress[0].ports[0].protocol).toBe('TCP');
  });
  it('EndpointSlice addressType is immutable', () => {
    const es = { metadata: ns('e'), addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] };
    expect(defaulted('discovery.k8s.io', 'EndpointSlice', es).ports[0].protocol).toBe('TCP');
    expect(updateErrors('discovery.k8s.io', 'EndpointSlice', { ...es, addressType: 'IPv6' }, es)).toEqual([
      'addressType: Invalid value: "IPv6": field is immutable',
    ]);
  });
});

describe('rbac', () => {
  const rb = (roleRef: any, subjects: any[] = []) => ({ metadata: ns('rb'), roleRef, subjects });
  it('defaults apiGroups and validates bindings', () => {
    const b = defaulted('rbac.authorization.k8s.io', 'RoleBinding', rb({ kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'alice' }]));
    expect(b.roleRef.apiGroup).toBe('rbac.authorization.k8s.io');
    expect(b.subjects[0].apiGroup).toBe('rbac.authorization.k8s.io');
    expect(createErrors('rbac.authorization.k8s.io', 'RoleBinding', b)).toEqual([]);
    expect(createErrors('rbac.authorization.k8s.io', 'RoleBinding', rb({ kind: 'Thing', name: '' }))).toEqual([
      'roleRef.kind: Unsupported value: "Thing": supported values: "Role", "ClusterRole"',
      'roleRef.name: Required value',
    ]);
  });
  it('roleRef is immutable', () => {
    const old = rb({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' });
    const n = rb({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'b' });
    expect(updateErrors('rbac.authorization.k8s.io', 'RoleBinding', n, old)).toEqual([
      'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"b"}: cannot change roleRef',
    ]);
  });
  it('rules need verbs, groups and resources', () => {
    expect(createErrors('rbac.authorization.k8s.io', 'Role', { metadata: ns('r'), rules: [{ resources: ['pods'] }] })).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    ]);
    expect(
      createErrors('rbac.authorization.k8s.io', 'ClusterRole', { metadata: { name: 'system:x' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }),
    ).toEqual([]);
  });
});

describe('others', () => {
  it('HPA defaults and bounds', () => {
    const h = defaulted('autoscaling', 'HorizontalPodAutoscaler', {
      apiVersion: 'autoscaling/v2',
      metadata: ns('h'),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, maxReplicas: 5 },
    });
    expect(h.spec.minReplicas).toBe(1);
    expect(h.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(createErrors('autoscaling', 'HorizontalPodAutoscaler', { ...h, spec: { ...h.spec, minReplicas: 6 } })).toEqual([
      'spec.minReplicas: Invalid value: 6: must be less than or equal to maxReplicas',
    ]);
    expect(createErrors('autoscaling', 'HorizontalPodAutoscaler', { metadata: ns('h'), spec: { maxReplicas: 1 } })).toEqual([
      'spec.scaleTargetRef.kind: Required value',
      'spec.scaleTargetRef.name: Required value',
    ]);
  });
  it('PriorityClass', () => {
    expect(defaulted('scheduling.k8s.io', 'PriorityClass', { metadata: { name: 'high' }, value: 1000 }).preemptionPolicy).toBe('PreemptLowerPriority');
    expect(createErrors('scheduling.k8s.io', 'PriorityClass', { metadata: { name: 'huge' }, value: 2000000000 })).toEqual([
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ]);
  });
  it('PodDisruptionBudget', () => {
    expect(createErrors('policy', 'PodDisruptionBudget', { metadata: ns('p'), spec: { minAvailable: '150%', selector: { matchLabels: { a: 'b' } } } })).toEqual([
      'spec.minAvailable: Invalid value: "150%": must not be greater than 100%',
    ]);
  });
  it('Lease and Event', () => {
    expect(createErrors('coordination.k8s.io', 'Lease', { metadata: ns('l'), spec: { leaseDurationSeconds: 0 } })).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    ]);
    expect(createErrors('', 'Event', { metadata: ns('e.1'), involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } })).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });
  it('Node allocatable defaults to capacity', () => {
    const n = defaulted('', 'Node', { metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } } });
    expect(n.status.allocatable).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(createErrors('', 'Node', { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } })).toEqual([
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });
  it('registers the built-in kinds', () => {
    expect(strategyKinds()).toEqual(expect.arrayContaining(['core/Pod', 'apps/Deployment', 'batch/Job', 'rbac.authorization.k8s.io/RoleBinding']));
  });
});
