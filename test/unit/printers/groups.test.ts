import { describe, expect, it } from 'vitest';
import { defaultPrinter, hasPrinter, printerFor } from '../../../src/api/printers/index.js';
import { D, M, NOW, ago, headers, meta, row } from './helpers.js';

describe('StorageClass printer', () => {
  const p = printerFor('storage.k8s.io', 'StorageClass');

  it('has upstream columns', () => {
    expect(headers(p).normal).toEqual(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
  });

  it.each([
    [
      'default class',
      {
        metadata: { name: 'standard', creationTimestamp: ago(30 * D), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'rancher.io/local-path',
        volumeBindingMode: 'WaitForFirstConsumer',
      },
      ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '30d'],
    ],
    [
      'beta default annotation, explicit policies',
      {
        metadata: { name: 'fast', creationTimestamp: ago(M), annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'csi.example.com',
        reclaimPolicy: 'Retain',
        allowVolumeExpansion: true,
      },
      ['fast (default)', 'csi.example.com', 'Retain', 'Immediate', true, '60s'],
    ],
    [
      'not default',
      { metadata: { name: 'slow', creationTimestamp: ago(M), annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } }, provisioner: 'p' },
      ['slow', 'p', 'Delete', 'Immediate', false, '60s'],
    ],
  ])('%s', (_t, sc, cells) => {
    expect(p.cells(sc, NOW)).toEqual(cells);
  });
});

describe('group printers', () => {
  it.each([
    [
      'networking.k8s.io',
      'Ingress',
      {
        metadata: meta('web'),
        spec: {
          ingressClassName: 'nginx',
          tls: [{ hosts: ['a.example.com'] }],
          rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, {}, { host: 'c.example.com' }, { host: 'd.example.com' }],
        },
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
      },
      ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
      ['web', 'nginx', 'a.example.com,b.example.com,c.example.com + 2 more...', '192.0.2.1', '80, 443', '5m'],
    ],
    [
      'networking.k8s.io',
      'Ingress',
      { metadata: meta('any'), spec: { defaultBackend: { service: { name: 'x', port: { number: 80 } } } } },
      ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
      ['any', '<none>', '*', '', '80', '5m'],
    ],
    [
      'networking.k8s.io',
      'IngressClass',
      { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } },
      ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
      ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '5m'],
    ],
    [
      'networking.k8s.io',
      'NetworkPolicy',
      { metadata: meta('deny'), spec: { podSelector: {} } },
      ['NAME', 'POD-SELECTOR', 'AGE'],
      ['deny', '<none>', '5m'],
    ],
    [
      'rbac.authorization.k8s.io',
      'RoleBinding',
      {
        metadata: meta('rb'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'User', name: 'alice' },
          { kind: 'User', name: 'bob' },
          { kind: 'Group', name: 'devs' },
          { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' },
        ],
      },
      ['NAME', 'ROLE', 'AGE'],
      ['rb', 'ClusterRole/view', '5m', 'alice, bob', 'devs', 'tools/ci'],
    ],
    [
      'rbac.authorization.k8s.io',
      'ClusterRoleBinding',
      { metadata: meta('crb'), roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }] },
      ['NAME', 'ROLE', 'AGE'],
      ['crb', 'ClusterRole/cluster-admin', '5m', '', 'system:masters', ''],
    ],
    [
      'coordination.k8s.io',
      'Lease',
      { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'node-1_abc' } },
      ['NAME', 'HOLDER', 'AGE'],
      ['kube-scheduler', 'node-1_abc', '5m'],
    ],
    [
      'discovery.k8s.io',
      'EndpointSlice',
      {
        metadata: meta('web-x1'),
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 80 }, { name: 'metrics' }],
        endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
      },
      ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
      ['web-x1', 'IPv4', '80,metrics', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5m'],
    ],
    [
      'discovery.k8s.io',
      'EndpointSlice',
      { metadata: meta('empty'), addressType: 'IPv6', endpoints: [] },
      ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
      ['empty', 'IPv6', '<unset>', '<unset>', '5m'],
    ],
    [
      'policy',
      'PodDisruptionBudget',
      { metadata: meta('pdb'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } },
      ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
      ['pdb', '50%', 'N/A', 1, '5m'],
    ],
    [
      'scheduling.k8s.io',
      'PriorityClass',
      { metadata: meta('system-cluster-critical'), value: 2000000000, preemptionPolicy: 'PreemptLowerPriority' },
      ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'],
      ['system-cluster-critical', 2000000000, false, '5m', 'PreemptLowerPriority'],
    ],
    ['node.k8s.io', 'RuntimeClass', { metadata: meta('gvisor'), handler: 'runsc' }, ['NAME', 'HANDLER', 'AGE'], ['gvisor', 'runsc', '5m']],
    [
      'storage.k8s.io',
      'CSIDriver',
      { metadata: meta('hostpath.csi.k8s.io'), spec: { podInfoOnMount: true, volumeLifecycleModes: ['Persistent', 'Ephemeral'] } },
      ['NAME', 'ATTACHREQUIRED', 'PODINFOONMOUNT', 'STORAGECAPACITY', 'TOKENREQUESTS', 'REQUIRESREPUBLISH', 'MODES', 'AGE'],
      ['hostpath.csi.k8s.io', true, true, false, '<unset>', false, 'Persistent,Ephemeral', '5m'],
    ],
    [
      'storage.k8s.io',
      'CSINode',
      { metadata: meta('node-1'), spec: { drivers: [{ name: 'a', nodeID: 'n' }] } },
      ['NAME', 'DRIVERS', 'AGE'],
      ['node-1', 1, '5m'],
    ],
    [
      'storage.k8s.io',
      'VolumeAttachment',
      { metadata: meta('csi-123'), spec: { attacher: 'csi.example.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } }, status: { attached: true } },
      ['NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE'],
      ['csi-123', 'csi.example.com', 'pv-1', 'node-1', true, '5m'],
    ],
    [
      'certificates.k8s.io',
      'CertificateSigningRequest',
      {
        metadata: meta('csr-1'),
        spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'alice', expirationSeconds: 86400 },
        status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'LS0t' },
      },
      ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'],
      ['csr-1', '5m', 'kubernetes.io/kube-apiserver-client', 'alice', '24h', 'Approved,Issued'],
    ],
  ])('%s %s', (group, kind, obj, normal, cells) => {
    const p = printerFor(group, kind);
    expect(headers(p).normal).toEqual(normal);
    expect(p.cells(obj, NOW)).toEqual(cells);
  });
});

describe('default printer and registry', () => {
  it.each([
    ['rbac.authorization.k8s.io', 'Role'],
    ['rbac.authorization.k8s.io', 'ClusterRole'],
    ['', 'LimitRange'],
    ['example.com', 'Widget'],
  ])('%s %s prints NAME and CREATED AT', (group, kind) => {
    const p = printerFor(group, kind);
    expect(p).toBe(defaultPrinter);
    expect(hasPrinter(group, kind)).toBe(false);
    expect(p.columns).toEqual([
      expect.objectContaining({ name: 'Name', type: 'string', format: 'name', priority: 0 }),
      expect.objectContaining({ name: 'Created At', type: 'date', priority: 0 }),
    ]);
    expect(p.cells({ metadata: { name: 'x', creationTimestamp: '2024-05-01T10:00:00Z' } }, NOW)).toEqual(['x', '2024-05-01T10:00:00Z']);
    expect(row(p, { metadata: { name: 'y', creationTimestamp: '2024-05-01T10:00:00.123456+02:00' } })['Created At']).toBe(
      '2024-05-01T08:00:00Z',
    );
  });

  it('accepts "core" and "" for the core group', () => {
    expect(printerFor('core', 'Pod')).toBe(printerFor('', 'Pod'));
    expect(hasPrinter('', 'Pod')).toBe(true);
    expect(hasPrinter('apps', 'Pod')).toBe(false);
  });

  const kinds: [string, string][] = [
    ['', 'Namespace'], ['', 'Pod'], ['', 'PodTemplate'], ['', 'ReplicationController'], ['', 'Service'], ['', 'Endpoints'],
    ['', 'ConfigMap'], ['', 'Secret'], ['', 'ServiceAccount'], ['', 'Node'], ['', 'PersistentVolume'],
    ['', 'PersistentVolumeClaim'], ['', 'ResourceQuota'], ['apps', 'Deployment'], ['apps', 'ReplicaSet'],
    ['apps', 'StatefulSet'], ['apps', 'DaemonSet'], ['apps', 'ControllerRevision'], ['batch', 'Job'], ['batch', 'CronJob'],
    ['networking.k8s.io', 'Ingress'], ['networking.k8s.io', 'IngressClass'], ['networking.k8s.io', 'NetworkPolicy'],
    ['storage.k8s.io', 'StorageClass'], ['storage.k8s.io', 'CSIDriver'], ['storage.k8s.io', 'CSINode'],
    ['storage.k8s.io', 'VolumeAttachment'], ['autoscaling', 'HorizontalPodAutoscaler'],
    ['rbac.authorization.k8s.io', 'RoleBinding'], ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
    ['coordination.k8s.io', 'Lease'], ['discovery.k8s.io', 'EndpointSlice'], ['policy', 'PodDisruptionBudget'],
    ['scheduling.k8s.io', 'PriorityClass'], ['node.k8s.io', 'RuntimeClass'], ['certificates.k8s.io', 'CertificateSigningRequest'],
    ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration'], ['admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'],
  ];

  it.each(kinds)('%s %s starts with Name and copes with a bare object', (group, kind) => {
    const p = printerFor(group, kind);
    expect(hasPrinter(group, kind)).toBe(true);
    expect(p.columns[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
    for (const c of p.columns) {
      expect(c.description.length).toBeGreaterThan(0);
      expect([0, 1]).toContain(c.priority);
    }
    const cells = p.cells({ metadata: { name: 'bare' } }, NOW);
    expect(cells).toHaveLength(p.columns.length);
    expect(cells[0]).toBe('bare');
    if (p.columns.some((c) => c.name === 'Age')) expect(cells[p.columns.findIndex((c) => c.name === 'Age')]).toBe('<unknown>');
  });

  it('events copes with a bare object too', () => {
    for (const g of ['', 'events.k8s.io']) {
      const p = printerFor(g, 'Event');
      expect(p.cells({ metadata: { name: 'e' } }, NOW)).toEqual(['<unknown>', '', '', '', '', '', '', '<unknown>', 1, 'e']);
    }
  });
});
