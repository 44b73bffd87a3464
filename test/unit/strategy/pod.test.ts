import { describe, expect, it } from 'vitest';
import { preparePodForCreate, strategyFor } from '../../../src/api/strategy/index.js';
import { createErrors, defaulted, updateErrors } from './helpers.js';

const meta = { name: 'p', namespace: 'default' };
const pod = (spec: any) => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec });

describe('Pod defaults', () => {
  it('fills the spec and container defaults like upstream', () => {
    const p = defaulted('', 'Pod', pod({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] }));
    expect(p.spec).toEqual({
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
      enableServiceLinks: true,
    });
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry.local:5000/app', 'Always'],
    ['registry.local:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:abcd', 'IfNotPresent'],
  ])('image %s → imagePullPolicy %s', (image, want) => {
    expect(defaulted('', 'Pod', pod({ containers: [{ name: 'c', image }] })).spec.containers[0].imagePullPolicy).toBe(want);
  });

  it('defaults probes, env fieldRef, volumes and requests from limits', () => {
    const p = defaulted(
      '',
      'Pod',
      pod({
        containers: [
          {
            name: 'c',
            image: 'x:1',
            livenessProbe: { httpGet: { port: 80 } },
            env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: '0.5', memory: '1Gi' } },
          },
        ],
        volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 'c', secret: { secretName: 's' } }, { name: 'd', hostPath: { path: '/x' } }],
      }),
    );
    const c = p.spec.containers[0];
    expect(c.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c.env[0].valueFrom.fieldRef.apiVersion).toBe('v1');
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    expect(p.spec.volumes).toEqual([
      { name: 'a', emptyDir: {} },
      { name: 'b', configMap: { name: 'cm', defaultMode: 420 } },
      { name: 'c', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'd', hostPath: { path: '/x', type: '' } },
    ]);
  });

  it('sets status and QoS class on create', () => {
    const p = defaulted('', 'Pod', pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }));
    preparePodForCreate(p);
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
    const b = defaulted('', 'Pod', pod({ containers: [{ name: 'c', image: 'x' }] }));
    preparePodForCreate(b);
    expect(b.status.qosClass).toBe('BestEffort');
  });
});

describe('Pod validation', () => {
  it.each<[string, any, string[]]>([
    ['valid', { containers: [{ name: 'c', image: 'nginx' }] }, []],
    ['no containers', { containers: [] }, ['spec.containers: Required value']],
    ['no image', { containers: [{ name: 'c' }] }, ['spec.containers[0].image: Required value']],
    [
      'bad container name',
      { containers: [{ name: 'C_1', image: 'x' }] },
      [
        `spec.containers[0].name: Invalid value: "C_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    ['duplicate container', { containers: [{ name: 'c', image: 'x' }, { name: 'c', image: 'y' }] }, ['spec.containers[1].name: Duplicate value: "c"']],
    [
      'bad restartPolicy',
      { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'x' }] },
      ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ],
    [
      'bad pull policy',
      { containers: [{ name: 'c', image: 'x', imagePullPolicy: 'x' }] },
      ['spec.containers[0].imagePullPolicy: Unsupported value: "x": supported values: "Always", "IfNotPresent", "Never"'],
    ],
    [
      'port out of range',
      { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000 }] }] },
      ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    [
      'mount of unknown volume',
      { containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'x', mountPath: '/x' }] }] },
      ['spec.containers[0].volumeMounts[0].name: Not found: "x"'],
    ],
    [
      'duplicate volume',
      { volumes: [{ name: 'v' }, { name: 'v' }], containers: [{ name: 'c', image: 'x' }] },
      ['spec.volumes[1].name: Duplicate value: "v"'],
    ],
    [
      'requests above limits',
      { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] },
      ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    ],
    [
      'unknown resource',
      { containers: [{ name: 'c', image: 'x', resources: { limits: { gpu: '1' } } }] },
      [
        'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
        // requests were defaulted from limits
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      ],
    ],
    [
      'env var without name',
      { containers: [{ name: 'c', image: 'x', env: [{ value: 'v' }] }] },
      ['spec.containers[0].env[0].name: Required value'],
    ],
  ])('%s', (_n, spec, want) => {
    expect(createErrors('', 'Pod', pod(spec))).toEqual(want);
  });

  it('requires name and namespace', () => {
    expect(createErrors('', 'Pod', { metadata: {}, spec: { containers: [{ name: 'c', image: 'x' }] } })).toEqual([
      'metadata.name: Required value: name or generateName is required',
      'metadata.namespace: Required value',
    ]);
  });
});

describe('Pod updates', () => {
  const old = pod({ containers: [{ name: 'c', image: 'nginx:1' }], tolerations: [{ key: 'a', operator: 'Exists' }] });
  it('allow image changes and added tolerations', () => {
    const n = pod({
      containers: [{ name: 'c', image: 'nginx:2' }],
      tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }],
    });
    // imagePullPolicy was defaulted on the old pod; keep it to model a real update.
    n.spec.containers[0].imagePullPolicy = 'IfNotPresent';
    expect(updateErrors('', 'Pod', n, old)).toEqual([]);
  });
  it('forbid other changes', () => {
    const n = pod({ containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }] }], tolerations: old.spec.tolerations });
    const errs = updateErrors('', 'Pod', n, old);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
  });
  it('forbid adding containers and removing tolerations', () => {
    const n = pod({ containers: [{ name: 'c', image: 'nginx:1' }, { name: 'd', image: 'x' }] });
    expect(updateErrors('', 'Pod', n, old)).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers']);
    const m = pod({ containers: [{ name: 'c', image: 'nginx:1' }] });
    expect(updateErrors('', 'Pod', m, old)[0]).toBe(
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    );
  });
  it('reject metadata changes to immutable fields', () => {
    const o = { ...old, metadata: { ...meta, uid: 'a' } };
    const n = { ...old, metadata: { ...meta, uid: 'b' } };
    expect(updateErrors('', 'Pod', n, o)).toEqual(['metadata.uid: Invalid value: "b": field is immutable']);
  });
  it('has no strategy surprises for unknown kinds', () => {
    expect(strategyFor('example.com', 'Widget')).toEqual({});
  });
});
