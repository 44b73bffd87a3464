import { describe, expect, it } from 'vitest';
import { claimClass, volumeClass, volumeMismatch } from '../../../src/controllers/persistentvolume/index.js';

const pv = (spec: object) => ({ metadata: { name: 'v' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: '', ...spec } });
const pvc = (spec: object) => ({ metadata: { name: 'c', namespace: 'n' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', ...spec } });

describe('volumeMismatch (what makes a volume unable to serve a claim)', () => {
  it('accepts an equal or larger volume in another unit', () => {
    expect(volumeMismatch(pv({}), pvc({}))).toBeUndefined();
    expect(volumeMismatch(pv({ capacity: { storage: '1100M' } }), pvc({ resources: { requests: { storage: '1Gi' } } }))).toBeUndefined();
  });
  it('refuses a smaller volume', () => {
    expect(volumeMismatch(pv({ capacity: { storage: '1000Mi' } }), pvc({}))).toBe('requested PV is too small');
  });
  it('needs the same class, "" included, and the beta annotation counts as the class', () => {
    expect(volumeMismatch(pv({ storageClassName: 'a' }), pvc({}))).toBe('storageClassName does not match');
    const annotated = { metadata: { name: 'c', annotations: { 'volume.beta.kubernetes.io/storage-class': 'a' } }, spec: { accessModes: ['ReadWriteOnce'] } };
    expect(claimClass(annotated)).toBe('a');
    expect(volumeClass(pv({ storageClassName: 'a' }))).toBe('a');
    expect(volumeMismatch(pv({ storageClassName: 'a' }), annotated)).toBeUndefined();
  });
  it('needs every requested access mode and the same volume mode', () => {
    expect(volumeMismatch(pv({ accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] }), pvc({ accessModes: ['ReadOnlyMany'] }))).toBeUndefined();
    expect(volumeMismatch(pv({}), pvc({ accessModes: ['ReadWriteMany'] }))).toBe('incompatible accessMode');
    expect(volumeMismatch(pv({ volumeMode: 'Block' }), pvc({}))).toBe('incompatible volumeMode');
  });
});
