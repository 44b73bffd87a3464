/** StatefulSet identity, storage and claim retention (pure pieces of the controller). */
import { describe, expect, it } from 'vitest';
import {
  claimOwnerRefs, claimsFor, identityMatches, inOrdinalRange, newStatefulPod, ordinalOf, storageMatches,
} from '../../../src/controllers/statefulset/identity.js';

const set = (extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'set-uid' },
  spec: {
    replicas: 2, serviceName: 'svc', selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'] } }],
    ...extra,
  },
});

describe('ordinals', () => {
  it.each([
    ['web-0', 0], ['web-12', 12], ['web-01', -1], ['web-', -1], ['web-x', -1], ['webx-1', -1], ['web-1-2', -1],
  ])('%s → %d', (name, want) => {
    expect(ordinalOf(set(), { metadata: { name } })).toBe(want);
  });

  it('honours ordinals.start', () => {
    const s = set({ ordinals: { start: 5 } });
    expect([4, 5, 6, 7].map((o) => inOrdinalRange(s, o))).toEqual([false, true, true, false]);
  });
});

describe('newStatefulPod', () => {
  it('names, labels, hostname, subdomain and claim volumes', () => {
    const pod = newStatefulPod(set(), 1, 'web-rev');
    expect(pod.metadata).toMatchObject({
      name: 'web-1', namespace: 'ns',
      labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1', 'controller-revision-hash': 'web-rev' },
      ownerReferences: [{ kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true }],
    });
    expect(pod.spec.hostname).toBe('web-1');
    expect(pod.spec.subdomain).toBe('svc');
    expect(pod.spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }, { name: 'cfg', emptyDir: {} }]);
    expect(identityMatches(set(), pod, 1)).toBe(true);
    expect(identityMatches(set(), pod, 2)).toBe(false);
    expect(storageMatches(set(), pod, 1)).toBe(true);
    expect(storageMatches(set(), pod, 0)).toBe(false);
  });

  it('claims carry the template labels plus the selector labels', () => {
    const c = claimsFor(set(), 3).get('data')!;
    expect(c.metadata).toEqual({ name: 'data-web-3', namespace: 'ns', labels: { tier: 'db', app: 'web' } });
    expect(c.spec).toEqual({ accessModes: ['ReadWriteOnce'] });
  });
});

describe('claimOwnerRefs (persistentVolumeClaimRetentionPolicy)', () => {
  const pod = { metadata: { name: 'web-3', uid: 'pod-uid' } };
  const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };
  const podRef = { apiVersion: 'v1', kind: 'Pod', name: 'web-3', uid: 'pod-uid' };
  it.each([
    // whenDeleted, whenScaled, ordinal (replicas 2: 0-1 in range), want
    ['Retain', 'Retain', 0, []],
    ['Delete', 'Retain', 0, [setRef]],
    ['Delete', 'Retain', 3, [setRef]],
    ['Retain', 'Delete', 0, []],
    ['Retain', 'Delete', 3, [podRef]],
    ['Delete', 'Delete', 0, [setRef]],
    ['Delete', 'Delete', 3, [podRef]],
  ])('whenDeleted=%s whenScaled=%s ordinal %d', (whenDeleted, whenScaled, ordinal, want) => {
    const s = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } });
    const p = { metadata: { ...pod.metadata, name: `web-${ordinal}` } };
    const refs = claimOwnerRefs(s, { metadata: {} }, p, ordinal as number);
    const expected = (want as Record<string, unknown>[]).map((r) => (r.kind === 'Pod' ? { ...r, name: `web-${ordinal}` } : r));
    expect(refs ?? []).toEqual(expected);
    // Already right: nothing to change.
    expect(claimOwnerRefs(s, { metadata: { ownerReferences: expected } }, p, ordinal as number)).toBeUndefined();
  });

  it('keeps references to other owners', () => {
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'x' };
    const s = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    expect(claimOwnerRefs(s, { metadata: { ownerReferences: [other] } }, undefined, 0)).toEqual([other, setRef]);
  });
});
