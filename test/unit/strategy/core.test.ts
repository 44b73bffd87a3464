import { describe, expect, it } from 'vitest';
import { createErrors, defaulted, updateErrors } from './helpers.js';

const svc = (spec: any, name = 's') => ({ metadata: { name, namespace: 'default' }, spec });

describe('Service', () => {
  it('defaults a ClusterIP service', () => {
    expect(defaulted('', 'Service', svc({ selector: { app: 'a' }, ports: [{ port: 80 }] })).spec).toEqual({
      selector: { app: 'a' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
  });

  it('defaults externalTrafficPolicy for NodePort', () => {
    const s = defaulted('', 'Service', svc({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] }));
    expect(s.spec.externalTrafficPolicy).toBe('Cluster');
    expect(s.spec.ports[0].targetPort).toBe('http');
  });

  it.each<[string, any, string[]]>([
    ['valid', { ports: [{ port: 80 }] }, []],
    ['no ports', { selector: { app: 'a' } }, ['spec.ports: Required value']],
    ['headless without ports', { clusterIP: 'None' }, []],
    [
      'unnamed ports',
      { ports: [{ port: 80 }, { port: 81 }] },
      ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
    ],
    ['ExternalName without name', { type: 'ExternalName' }, ['spec.externalName: Required value']],
    ['ExternalName', { type: 'ExternalName', externalName: 'example.com.' }, []],
    [
      'bad type',
      { type: 'Magic', ports: [{ port: 80 }] },
      ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ],
    ['port 0', { ports: [{ port: 0, targetPort: 8080 }] }, ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
  ])('%s', (_n, spec, want) => {
    expect(createErrors('', 'Service', svc(spec))).toEqual(want);
  });

  it('names are DNS-1035 labels', () => {
    expect(createErrors('', 'Service', svc({ ports: [{ port: 80 }] }, '1abc'))).toEqual([
      `metadata.name: Invalid value: "1abc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('clusterIP may not change', () => {
    const old = svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.5' });
    expect(updateErrors('', 'Service', svc({ ports: [{ port: 80 }] }), old)).toEqual([]);
    expect(updateErrors('', 'Service', svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.6' }), old)).toEqual([
      'spec.clusterIPs[0]: Invalid value: ["10.0.0.6"]: may not change once set',
    ]);
  });
});

describe('Namespace', () => {
  it('defaults label, finalizers and phase', () => {
    expect(defaulted('', 'Namespace', { metadata: { name: 'team-a' } })).toEqual({
      metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });
  it('requires a DNS label name and no namespace', () => {
    expect(createErrors('', 'Namespace', { metadata: { name: 'a.b' } })).toEqual(['metadata.name: Invalid value: "a.b": must not contain dots']);
    expect(createErrors('', 'Namespace', { metadata: { name: 'a', namespace: 'x' } })).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });
});

describe('ConfigMap and Secret', () => {
  const cm = (extra: any) => ({ metadata: { name: 'c', namespace: 'default' }, ...extra });
  it('ConfigMap keys', () => {
    expect(createErrors('', 'ConfigMap', cm({ data: { 'good.key': 'v' } }))).toEqual([]);
    expect(createErrors('', 'ConfigMap', cm({ data: { 'bad key': 'v' } }))).toEqual([
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
  });
  it('ConfigMap too large', () => {
    expect(createErrors('', 'ConfigMap', cm({ data: { a: 'x'.repeat(1024 * 1024 + 1) } }))).toEqual([': Too long: may not be more than 1048576 bytes']);
  });
  it('immutable ConfigMap', () => {
    const old = cm({ data: { a: '1' }, immutable: true });
    expect(updateErrors('', 'ConfigMap', cm({ data: { a: '2' }, immutable: true }), old)).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
  it('Secret defaults type and folds stringData', () => {
    expect(defaulted('', 'Secret', cm({ stringData: { pw: 'hunter2' } }))).toEqual(cm({ type: 'Opaque', data: { pw: 'aHVudGVyMg==' } }));
  });
  it('Secret per-type keys and immutable type', () => {
    expect(createErrors('', 'Secret', cm({ type: 'kubernetes.io/tls', data: {} }))).toEqual([
      'data[tls.crt]: Required value',
      'data[tls.key]: Required value',
    ]);
    expect(updateErrors('', 'Secret', cm({ type: 'kubernetes.io/basic-auth', data: { username: 'YQ==' } }), cm({ data: {} }))).toEqual([
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    ]);
  });
});
