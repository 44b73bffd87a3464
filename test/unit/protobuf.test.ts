import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ProtobufDecodeError,
  decodeKubernetesProtobuf,
  formatDuration,
  messageNameFor,
} from '../../src/machinery/protobuf/index.js';
import { runKubectl, startRecordingServer } from '../helpers/recording-server.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'protobuf');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, `${name}.bin`)));
const decode = (name: string): Record<string, unknown> => decodeKubernetesProtobuf(fixture(name)).object;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

// ---- a tiny encoder for hand-made bodies ----------------------------------------------------

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const vint = (field: number, n: number | bigint): number[] => [...varint(field << 3), ...varint(n)];
function bytes(field: number, payload: number[] | string): number[] {
  const b = typeof payload === 'string' ? [...Buffer.from(payload)] : payload;
  return [...varint((field << 3) | 2), ...varint(b.length), ...b];
}
/** k8s\0 + runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  const typeMeta = [...bytes(1, apiVersion), ...bytes(2, kind)];
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...bytes(1, typeMeta), ...bytes(2, raw)]);
}

// ---- recorded kubectl 1.32 bodies -----------------------------------------------------------

describe('recorded kubectl create bodies', () => {
  it('create deployment d --image=nginx', () => {
    const r = decodeKubernetesProtobuf(fixture('deployment'));
    expect(r.apiVersion).toBe('apps/v1');
    expect(r.kind).toBe('Deployment');
    const obj = r.object;
    expect(Object.keys(obj).slice(0, 2)).toEqual(['kind', 'apiVersion']);
    expect(obj).toMatchObject({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'd', namespace: 'default', labels: { app: 'd' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
    const spec = obj.spec as { template: { spec: { containers: unknown[] } } };
    expect(spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx', resources: {} }]);
    expect(obj.metadata).toEqual({ name: 'd', namespace: 'default', labels: { app: 'd' } });
  });

  it('keeps a meaningful zero: create deployment --replicas=0', () => {
    const spec = decode('deployment-replicas').spec as Record<string, unknown>;
    expect(spec.replicas).toBe(0);
    expect((spec.template as { spec: unknown }).spec).toEqual({
      containers: [
        { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} },
        { name: 'busybox', image: 'busybox', resources: {} },
      ],
    });
  });

  it('wire mode keeps every zero field Go wrote', () => {
    const obj = decodeKubernetesProtobuf(fixture('deployment'), { zeros: 'wire' }).object;
    expect(obj.metadata).toMatchObject({ name: 'd', generateName: '', uid: '', generation: 0 });
    expect((obj.spec as { strategy: unknown }).strategy).toEqual({ type: '' });
  });

  const cases: [string, Record<string, unknown>][] = [
    ['namespace', { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'ns1' }, spec: {}, status: {} }],
    ['configmap', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', namespace: 'default' }, data: { a: 'b', empty: '' } }],
    ['secret-generic', { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', namespace: 'default' }, data: { k: b64('v') } }],
    ['serviceaccount', { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa', namespace: 'default' } }],
    ['quota', {
      kind: 'ResourceQuota', apiVersion: 'v1', metadata: { name: 'q', namespace: 'default' },
      spec: { hard: { cpu: '1', memory: '1Gi', pods: '10', 'requests.cpu': '500m' } }, status: {},
    }],
    ['quota-scopes', {
      kind: 'ResourceQuota', apiVersion: 'v1', metadata: { name: 'be', namespace: 'default' },
      spec: { hard: { pods: '5' }, scopes: ['BestEffort'] }, status: {},
    }],
    ['role', {
      kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'r', namespace: 'default' },
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['p1'] }],
    }],
    ['clusterrole', {
      kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'cr' },
      rules: [{ verbs: ['get', 'watch'], apiGroups: [''], resources: ['nodes'] }],
    }],
    ['clusterrole-nonresource', {
      kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'logs' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }],
    }],
    ['rolebinding', {
      kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'rb', namespace: 'default' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    }],
    ['clusterrolebinding', {
      kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'crb' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr' },
    }],
    ['job', {
      kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'j', namespace: 'default' },
      spec: { template: { metadata: {}, spec: {
        containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never',
      } } },
      status: {},
    }],
    ['cronjob', {
      kind: 'CronJob', apiVersion: 'batch/v1', metadata: { name: 'cj', namespace: 'default' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: { metadata: { name: 'cj' }, spec: { template: { metadata: {}, spec: {
          containers: [{ name: 'cj', image: 'busybox', command: ['date'], resources: {} }], restartPolicy: 'OnFailure',
        } } } },
      },
      status: {},
    }],
    ['ingress', {
      kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'ing', namespace: 'default' },
      spec: {
        tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
        rules: [{ host: 'foo.com', http: { paths: [
          { path: '/bar', backend: { service: { name: 'svc1', port: { number: 8080 } } }, pathType: 'Exact' },
          { path: '/', backend: { service: { name: 'svc2', port: { name: 'http' } } }, pathType: 'Prefix' },
        ] } }],
        ingressClassName: 'nginx',
      },
      status: { loadBalancer: {} },
    }],
  ];
  it.each(cases)('%s', (name, expected) => {
    expect(decode(name)).toEqual(expected);
  });

  it('secret tls and docker-registry carry base64 data and their type', () => {
    const tls = decode('secret-tls') as { type: string; data: Record<string, string> };
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(tls.data['tls.crt']!, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(Buffer.from(tls.data['tls.key']!, 'base64').toString()).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const reg = decode('secret-docker-registry') as { type: string; data: Record<string, string> };
    expect(reg.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(Buffer.from(reg.data['.dockerconfigjson']!, 'base64').toString())).toEqual({
      auths: { 'registry.example.com': { username: 'u', password: 'p', email: 'u@example.com', auth: b64('u:p') } },
    });
  });

  const services: [string, string, unknown][] = [
    ['service-clusterip', 'ClusterIP', [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]],
    ['service-nodeport', 'NodePort', [{ name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }]],
    ['service-loadbalancer', 'LoadBalancer', [{ name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 }]],
    ['service-externalname', 'ExternalName', undefined],
    ['service-clusterip-none', 'ClusterIP', undefined],
  ];
  it.each(services)('%s', (name, type, ports) => {
    const svc = decode(name) as { metadata: { name: string; labels: unknown }; spec: Record<string, unknown>; status: unknown };
    expect(svc.spec.type).toBe(type);
    expect(svc.spec.ports).toEqual(ports);
    expect(svc.spec.selector).toEqual({ app: svc.metadata.name });
    expect(svc.metadata.labels).toEqual({ app: svc.metadata.name });
    expect(svc.status).toEqual({ loadBalancer: {} });
  });

  it('service clusterip --clusterip=None and externalname', () => {
    expect(decode('service-clusterip-none').spec).toMatchObject({ clusterIP: 'None' });
    expect(decode('service-externalname').spec).toMatchObject({ externalName: 'example.com' });
  });

  it('poddisruptionbudget: IntOrString as number and as string', () => {
    expect(decode('poddisruptionbudget').spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
    expect(decode('poddisruptionbudget-percent').spec).toEqual({ selector: { matchLabels: { app: 'web' } }, maxUnavailable: '50%' });
  });

  it('priorityclass: the required value keeps its zero', () => {
    expect(decode('priorityclass')).toMatchObject({
      kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', metadata: { name: 'high' },
      value: 1000, description: 'high priority', preemptionPolicy: 'Never',
    });
    expect(decode('priorityclass-zero')).toMatchObject({ value: 0, preemptionPolicy: 'PreemptLowerPriority' });
  });

  it('create token: TokenRequest with expirationSeconds', () => {
    expect(decode('token')).toMatchObject({
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: { expirationSeconds: 3600 },
    });
  });

  it('auth can-i create pods: SelfSubjectAccessReview', () => {
    const obj = decode('selfsubjectaccessreview');
    expect(obj).toMatchObject({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1' });
    expect(obj.spec).toEqual({ resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } });
  });
});

// ---- special types on hand-made bodies ------------------------------------------------------

describe('special message types', () => {
  it('Time as RFC 3339 seconds, MicroTime with microseconds, empty Time left out', () => {
    const ts = (seconds: number, nanos = 0): number[] => [...vint(1, seconds), ...(nanos ? vint(2, nanos) : [])];
    const raw = [
      ...bytes(1, [...bytes(1, 'e1'), ...bytes(8, [])]), // metadata{name, creationTimestamp: zero}
      ...bytes(2, ts(1704164645, 123456789)), // eventTime (MicroTime)
      ...bytes(13, ts(1704164645, 999)), // deprecatedFirstTimestamp (Time: nanos ignored)
      ...bytes(14, ts(0)), // the Unix epoch is not the zero time
    ];
    const obj = decodeKubernetesProtobuf(envelope('events.k8s.io/v1', 'Event', raw)).object;
    expect(obj).toEqual({
      kind: 'Event', apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'e1' },
      eventTime: '2024-01-02T03:04:05.123456Z',
      deprecatedFirstTimestamp: '2024-01-02T03:04:05Z',
      deprecatedLastTimestamp: '1970-01-01T00:00:00Z',
    });
  });

  it('RawExtension and FieldsV1 as parsed JSON, negative int64, map<string, ExtraValue>', () => {
    const managed = [...bytes(1, 'kubectl'), ...bytes(7, bytes(1, '{"f:data":{}}'))];
    const raw = [
      ...bytes(1, [...bytes(1, 'rev'), ...vint(10, -1), ...bytes(17, managed)]),
      ...bytes(2, bytes(1, '{"spec":{"x":[1,2]}}')),
      ...vint(3, 7),
    ];
    expect(decodeKubernetesProtobuf(envelope('apps/v1', 'ControllerRevision', raw)).object).toEqual({
      kind: 'ControllerRevision', apiVersion: 'apps/v1',
      metadata: { name: 'rev', deletionGracePeriodSeconds: -1, managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': {} } }] },
      data: { spec: { x: [1, 2] } },
      revision: 7,
    });
    const extra = bytes(5, [...bytes(1, 'groups'), ...bytes(2, [...bytes(1, 'a'), ...bytes(1, 'b')])]);
    const sar = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SubjectAccessReview', bytes(2, [...extra, ...bytes(3, 'bob')]))).object;
    expect(sar.spec).toEqual({ extra: { groups: ['a', 'b'] }, user: 'bob' });
  });

  it('inlined Go structs are flattened into their parent (Volume, ConfigMapKeySelector)', () => {
    const volume = [...bytes(1, 'cfg'), ...bytes(2, bytes(19, bytes(1, bytes(1, 'my-config'))))];
    const env = [...bytes(1, 'K'), ...bytes(3, bytes(3, [...bytes(1, bytes(1, 'my-config')), ...bytes(2, 'key')]))];
    const container = [...bytes(1, 'c'), ...bytes(2, 'img'), ...bytes(7, env)];
    const podSpec = [...bytes(1, volume), ...bytes(2, container)];
    const obj = decodeKubernetesProtobuf(envelope('v1', 'Pod', bytes(2, podSpec))).object;
    expect(obj.spec).toEqual({
      volumes: [{ name: 'cfg', configMap: { name: 'my-config' } }],
      containers: [{ name: 'c', image: 'img', env: [{ name: 'K', valueFrom: { configMapKeyRef: { name: 'my-config', key: 'key' } } }] }],
    });
  });

  it('Duration in Go notation', () => {
    const cases: [bigint, string][] = [
      [0n, '0s'], [1n, '1ns'], [1500n, '1.5µs'], [100_000_000n, '100ms'], [1_500_000_000n, '1.5s'],
      [60_000_000_000n, '1m0s'], [3_600_000_000_000n, '1h0m0s'], [5_415_000_000_000n, '1h30m15s'], [-2_000_000_000n, '-2s'],
    ];
    for (const [ns, s] of cases) expect(formatDuration(ns)).toBe(s);
  });

  it('finds messages for apiVersion and kind', () => {
    expect(messageNameFor('apps/v1', 'Deployment')).toBe('k8s.io.api.apps.v1.Deployment');
    expect(messageNameFor('v1', 'Pod')).toBe('k8s.io.api.core.v1.Pod');
    expect(messageNameFor('rbac.authorization.k8s.io/v1', 'Role')).toBe('k8s.io.api.rbac.v1.Role');
    expect(messageNameFor('networking.k8s.io/v1', 'Ingress')).toBe('k8s.io.api.networking.v1.Ingress');
    expect(messageNameFor('meta.k8s.io/v1', 'DeleteOptions')).toBe('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    expect(messageNameFor('apps/v1', 'Nope')).toBeUndefined();
  });
});

// ---- malformed input ------------------------------------------------------------------------

describe('malformed input', () => {
  const deployment = fixture('deployment');
  const bad: [string, Uint8Array, RegExp][] = [
    ['empty body', new Uint8Array(0), /expected prefix/],
    ['bad magic', Uint8Array.from([0x7b, 0x7d, 0, 0, 0]), /expected prefix/],
    ['JSON body', new Uint8Array(Buffer.from('{"kind":"Pod"}')), /expected prefix/],
    ['truncated varint', Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0x80]), /truncated varint/],
    ['truncated message', deployment.subarray(0, deployment.length - 5), /truncated/],
    ['unknown kind', envelope('apps/v1', 'Frobnicator', []), /no kind "Frobnicator" is registered for version "apps\/v1"/],
    ['unknown group', envelope('example.com/v1', 'Widget', []), /no kind "Widget" is registered for version "example.com\/v1"/],
    ['missing kind', envelope('v1', '', []), /Kind' is missing/],
    ['wrong wire type', envelope('v1', 'Namespace', vint(1, 5)), /expected a length-delimited value/],
    ['raw extension not JSON', envelope('apps/v1', 'ControllerRevision', bytes(2, bytes(1, 'not json'))), /RawExtension does not hold JSON/],
  ];
  it.each(bad)('%s', (_name, body, message) => {
    expect(() => decodeKubernetesProtobuf(body)).toThrow(ProtobufDecodeError);
    expect(() => decodeKubernetesProtobuf(body)).toThrow(message);
  });
});

// ---- live: the real kubectl against the loopback recording server ------------------------------

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

describe('kubectl 1.32 live', () => {
  it('create configmap sends protobuf that decodes to the object, and prints the echo', async () => {
    const server = await startRecordingServer();
    const home = mkdtempSync(join(tmpdir(), 'k8ts-pb-'));
    try {
      const { code, output } = await runKubectl(KUBECTL, server.url, home, ['create', 'configmap', 'live', '--from-literal=x=1']);
      expect(output).toBe('configmap/live created');
      expect(code).toBe(0);
      const post = server.requests.find((r) => r.method === 'POST');
      expect(post?.url).toBe('/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict');
      expect(post?.contentType).toBe('application/vnd.kubernetes.protobuf');
      expect(decodeKubernetesProtobuf(post!.body).object).toEqual({
        kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'live', namespace: 'default' }, data: { x: '1' },
      });
    } finally {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
