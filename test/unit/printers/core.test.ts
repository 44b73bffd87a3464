import { describe, expect, it } from 'vitest';
import { printerFor } from '../../../src/api/printers/index.js';
import { D, H, M, NOW, S, ago, headers, meta, row } from './helpers.js';

describe('Service printer', () => {
  const svc = printerFor('', 'Service');

  it('has upstream columns', () => {
    expect(headers(svc)).toEqual({ normal: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], wide: ['SELECTOR'] });
  });

  it.each([
    [
      'ClusterIP',
      { metadata: meta('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } } },
      { Type: 'ClusterIP', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '80/TCP', Age: '5m', Selector: 'app=web' },
    ],
    [
      'ClusterIP with external IPs and two ports',
      {
        metadata: meta('dns'),
        spec: { clusterIPs: ['10.96.0.53'], externalIPs: ['1.2.3.4', '5.6.7.8'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      },
      { Type: 'ClusterIP', 'External-IP': '1.2.3.4,5.6.7.8', 'Port(s)': '53/UDP,53/TCP', Selector: '<none>' },
    ],
    [
      'headless',
      { metadata: meta('db'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] } },
      { 'Cluster-IP': 'None', 'Port(s)': '5432/TCP' },
    ],
    [
      'NodePort',
      { metadata: meta('np'), spec: { type: 'NodePort', clusterIPs: ['10.96.1.1'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
      { Type: 'NodePort', 'External-IP': '<none>', 'Port(s)': '80:30080/TCP' },
    ],
    [
      'LoadBalancer pending',
      { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.2.2'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] }, status: { loadBalancer: {} } },
      { Type: 'LoadBalancer', 'External-IP': '<pending>', 'Port(s)': '80:31000/TCP' },
    ],
    [
      'LoadBalancer provisioned',
      {
        metadata: meta('lb2'),
        spec: { type: 'LoadBalancer', clusterIPs: ['10.96.2.3'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.9' }] } },
      },
      { 'External-IP': '203.0.113.9,lb.example.com' },
    ],
    [
      'ExternalName',
      { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
      { Type: 'ExternalName', 'Cluster-IP': '<none>', 'External-IP': 'db.example.com', 'Port(s)': '<none>' },
    ],
  ])('%s', (_t, obj, want) => {
    expect(row(svc, obj)).toMatchObject(want);
  });
});

describe('Node printer', () => {
  const nodes = printerFor('core', 'Node');
  const node = (extra: { spec?: object; conditions?: object[]; labels?: Record<string, string> } = {}) => ({
    metadata: { name: 'node-1', creationTimestamp: ago(3 * D), labels: extra.labels ?? {} },
    spec: extra.spec ?? {},
    status: {
      conditions: extra.conditions ?? [{ type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'Hostname', address: 'node-1' },
        { type: 'InternalIP', address: '192.168.1.10' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
    },
  });

  it('has upstream columns', () => {
    expect(headers(nodes)).toEqual({
      normal: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      wide: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    });
  });

  it('shows a ready worker', () => {
    expect(nodes.cells(node(), NOW)).toEqual([
      'node-1',
      'Ready',
      '<none>',
      '3d',
      'v1.32.4',
      '192.168.1.10',
      '<none>',
      'Debian GNU/Linux 12',
      '6.1.0',
      'containerd://1.7.0',
    ]);
  });

  it.each([
    ['cordoned', { spec: { unschedulable: true } }, 'Ready,SchedulingDisabled'],
    ['not ready', { conditions: [{ type: 'Ready', status: 'False' }] }, 'NotReady'],
    ['unknown ready state', { conditions: [{ type: 'Ready', status: 'Unknown' }] }, 'NotReady'],
    ['no Ready condition, cordoned', { conditions: [], spec: { unschedulable: true } }, 'Unknown,SchedulingDisabled'],
  ])('%s', (_t, extra, status) => {
    expect(row(nodes, node(extra)).Status).toBe(status);
  });

  it('reads roles from node-role labels', () => {
    const labels = { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/etcd': 'true', 'kubernetes.io/role': 'master', 'node-role.kubernetes.io/': '' };
    expect(row(nodes, node({ labels })).Roles).toBe('control-plane,etcd,master');
  });
});

describe('Event printer', () => {
  const events = printerFor('', 'Event');

  it('has upstream columns with Name last and wide-only', () => {
    expect(headers(events)).toEqual({
      normal: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      wide: ['SUBOBJECT', 'SOURCE', 'FIRST SEEN', 'COUNT', 'NAME'],
    });
    expect(events.columns.at(-1)).toMatchObject({ name: 'Name', format: 'name', priority: 1 });
  });

  it('prints a repeated core/v1 event', () => {
    const ev = {
      metadata: { name: 'web.17d', namespace: 'default', creationTimestamp: ago(10 * M) },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(10 * M),
      lastTimestamp: ago(45 * S),
      count: 7,
      type: 'Warning',
    };
    expect(events.cells(ev, NOW)).toEqual([
      '45s',
      'Warning',
      'BackOff',
      'pod/web',
      'spec.containers{app}',
      'kubelet, node-1',
      'Back-off restarting failed container',
      '10m',
      7,
      'web.17d',
    ]);
  });

  it('falls back to eventTime, series and reportingComponent', () => {
    const ev = {
      metadata: { name: 'x' },
      involvedObject: { kind: 'Node' },
      reason: 'Starting',
      message: 'hi',
      eventTime: '2024-06-01T11:00:00.000000Z',
      reportingComponent: 'kube-proxy',
      series: { count: 3, lastObservedTime: '2024-06-01T11:58:00.000000Z' },
      type: 'Normal',
    };
    expect(row(events, ev)).toMatchObject({ 'Last Seen': '2m', 'First Seen': '60m', Object: 'node', Source: 'kube-proxy', Count: 3 });
  });

  it('prints events.k8s.io/v1 events the same way', () => {
    const ev = {
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'e1' },
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'Scaled up replica set web-abc to 3',
      type: 'Normal',
      eventTime: ago(2 * H),
      reportingController: 'deployment-controller',
    };
    const p = printerFor('events.k8s.io', 'Event');
    expect(headers(p)).toEqual(headers(events));
    expect(row(p, ev)).toMatchObject({
      'Last Seen': '120m', // under 3h upstream counts minutes
      Object: 'deployment/web',
      Message: 'Scaled up replica set web-abc to 3',
      Source: 'deployment-controller',
      Count: 1,
    });
  });
});

describe('other core kinds', () => {
  it.each([
    ['Namespace', { metadata: meta('dev'), status: { phase: 'Active' } }, ['NAME', 'STATUS', 'AGE'], ['dev', 'Active', '5m']],
    ['ConfigMap', { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, ['NAME', 'DATA', 'AGE'], ['cfg', 3, '5m']],
    ['Secret', { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, ['NAME', 'TYPE', 'DATA', 'AGE'], ['s', 'kubernetes.io/tls', 2, '5m']],
    ['ServiceAccount', { metadata: meta('default') }, ['NAME', 'SECRETS', 'AGE'], ['default', 0, '5m']],
    [
      'Endpoints',
      {
        metadata: meta('web'),
        subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: 'fd00::3' }, { ip: '10.0.0.4' }], ports: [{ port: 8080 }] }],
      },
      ['NAME', 'ENDPOINTS', 'AGE'],
      ['web', '10.0.0.1:8080,10.0.0.2:8080,[fd00::3]:8080 + 1 more...', '5m'],
    ],
    ['Endpoints', { metadata: meta('none') }, ['NAME', 'ENDPOINTS', 'AGE'], ['none', '<none>', '5m']],
    [
      'ResourceQuota',
      {
        metadata: meta('q'),
        status: { hard: { pods: '10', 'limits.cpu': '4', 'requests.cpu': '2' }, used: { pods: '3', 'requests.cpu': '500m' } },
      },
      ['NAME', 'AGE', 'REQUEST', 'LIMIT'],
      ['q', '5m', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 0/4'],
    ],
    [
      'PersistentVolume',
      {
        metadata: meta('pv1'),
        spec: {
          capacity: { storage: '10Gi' },
          accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          claimRef: { namespace: 'default', name: 'data' },
          storageClassName: 'standard',
          volumeMode: 'Filesystem',
        },
        status: { phase: 'Bound' },
      },
      ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
      ['pv1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'standard', '<unset>', '', '5m', 'Filesystem'],
    ],
    [
      'PersistentVolumeClaim',
      { metadata: meta('data'), spec: { storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } },
      ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
      ['data', 'Pending', '', '', '', 'standard', '<unset>', '5m', '<unset>'],
    ],
    [
      'ReplicationController',
      {
        metadata: meta('rc'),
        spec: { replicas: 3, selector: { app: 'rc' }, template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } },
        status: { replicas: 3, readyReplicas: 2 },
      },
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      ['rc', 3, 3, 2, '5m', 'a', 'nginx', 'app=rc'],
    ],
    [
      'PodTemplate',
      { metadata: meta('pt'), template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'nginx:1.27' }] } } },
      ['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'],
      ['pt', 'a,b', 'busybox,nginx:1.27', 'app=x'],
    ],
  ])('%s', (kind, obj, normal, cells) => {
    const p = printerFor('', kind);
    expect(headers(p).normal).toEqual(normal);
    expect(p.cells(obj, NOW)).toEqual(cells);
  });
});
