import { describe, expect, it } from 'vitest';
import { createErrors, defaulted, updateErrors } from './helpers.js';

const tpl = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
});
const deploy = (spec: any, name = 'd') => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec });

describe('Deployment', () => {
  it('defaults like upstream', () => {
    const d = defaulted('apps', 'Deployment', deploy({ selector: { matchLabels: { app: 'a' } }, template: tpl({ app: 'a' }) }));
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec.template.metadata).toEqual({ labels: { app: 'a' }, creationTimestamp: null });
    expect(d.spec.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
    // enableServiceLinks is a Pod-only default.
    expect(d.spec.template.spec.enableServiceLinks).toBeUndefined();
  });

  it('leaves a Recreate strategy without rollingUpdate', () => {
    const d = defaulted('apps', 'Deployment', deploy({ strategy: { type: 'Recreate' } }));
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it.each<[string, any, string[]]>([
    ['valid', { selector: { matchLabels: { app: 'a' } }, template: tpl({ app: 'a' }) }, []],
    [
      'no selector (a nil selector matches nothing, as upstream)',
      { template: tpl({ app: 'a' }) },
      ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"a"}: `selector` does not match template `labels`'],
    ],
    [
      'selector mismatch',
      { selector: { matchLabels: { app: 'a' } }, template: tpl({ app: 'b' }) },
      ['spec.template.metadata.labels: Invalid value: {"app":"b"}: `selector` does not match template `labels`'],
    ],
    [
      'empty selector',
      { selector: {}, template: tpl({ app: 'a' }) },
      ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
    ],
    [
      'negative replicas',
      { replicas: -1, selector: { matchLabels: { app: 'a' } }, template: tpl({ app: 'a' }) },
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'restartPolicy Never',
      { selector: { matchLabels: { app: 'a' } }, template: { ...tpl({ app: 'a' }), spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'zero surge and unavailable',
      {
        selector: { matchLabels: { app: 'a' } },
        template: tpl({ app: 'a' }),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    [
      'bad template label',
      { selector: { matchLabels: { app: 'a' } }, template: tpl({ app: 'a', 'x y': 'z' }) },
      [expect.stringMatching(/^spec\.template\.labels: Invalid value: "x y": name part must consist of/)],
    ],
  ])('%s', (_n, spec, want) => {
    expect(createErrors('apps', 'Deployment', deploy(spec))).toEqual(want);
  });

  it('keeps the selector immutable', () => {
    const old = deploy({ selector: { matchLabels: { app: 'a' } }, template: tpl({ app: 'a', v: '1' }) });
    const n = deploy({ selector: { matchLabels: { app: 'a', v: '1' } }, template: tpl({ app: 'a', v: '1' }) });
    expect(updateErrors('apps', 'Deployment', n, old)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"a","v":"1"}}: field is immutable',
    ]);
  });
});

describe('StatefulSet, DaemonSet, ReplicaSet', () => {
  it('StatefulSet defaults', () => {
    const s = defaulted('apps', 'StatefulSet', {
      metadata: { name: 's', namespace: 'default' },
      spec: {
        serviceName: 's',
        selector: { matchLabels: { app: 's' } },
        template: tpl({ app: 's' }),
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    expect(s.spec).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1,
      revisionHistoryLimit: 10,
    });
    expect(s.spec.volumeClaimTemplates[0]).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', creationTimestamp: null },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
  });

  it('StatefulSet template volume mounts may name claim templates (upstream skips pod spec checks)', () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's', namespace: 'default' },
      spec: {
        serviceName: 's',
        selector: { matchLabels: { app: 's' } },
        template: {
          metadata: { labels: { app: 's' } },
          spec: { containers: [{ name: 'c', image: 'nginx:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    expect(createErrors('apps', 'StatefulSet', sts)).toEqual([]);
    const bad = structuredClone(sts);
    (bad.spec.template.metadata.labels as any) = { app: 'other' };
    (bad.spec.template.spec as any).restartPolicy = 'Never';
    expect(createErrors('apps', 'StatefulSet', bad)).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('StatefulSet update may only change some fields', () => {
    const base = { metadata: { name: 's', namespace: 'default' }, spec: { serviceName: 'a', selector: { matchLabels: { app: 's' } }, template: tpl({ app: 's' }) } };
    const scaled = structuredClone(base);
    (scaled.spec as any).replicas = 3;
    expect(updateErrors('apps', 'StatefulSet', scaled, base)).toEqual([]);
    const renamed = structuredClone(base);
    renamed.spec.serviceName = 'b';
    expect(updateErrors('apps', 'StatefulSet', renamed, base)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('DaemonSet defaults and validation', () => {
    const ds = { metadata: { name: 'ds', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'x' } }, template: tpl({ app: 'x' }) } };
    expect(defaulted('apps', 'DaemonSet', ds).spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
    expect(createErrors('apps', 'DaemonSet', ds)).toEqual([]);
    expect(createErrors('apps', 'DaemonSet', { ...ds, spec: { ...ds.spec, template: tpl({ app: 'y' }) } })).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"y"}: `selector` does not match template `labels`',
    ]);
  });

  it('ReplicaSet defaults replicas', () => {
    expect(defaulted('apps', 'ReplicaSet', { metadata: { name: 'r' }, spec: {} }).spec.replicas).toBe(1);
  });

  it('ReplicationController takes selector and labels from the template', () => {
    const rc = defaulted('', 'ReplicationController', { metadata: { name: 'r', namespace: 'default' }, spec: { template: tpl({ app: 'r' }) } });
    expect(rc.spec.selector).toEqual({ app: 'r' });
    expect(rc.metadata.labels).toEqual({ app: 'r' });
    expect(rc.spec.replicas).toBe(1);
    expect(createErrors('', 'ReplicationController', rc)).toEqual([]);
  });
});
