/** ControllerRevision helpers: Go-compatible JSON, FNV-1 32, SafeEncodeString, names, patch data. */
import { describe, expect, it } from 'vitest';
import {
  applyRevision, findEqualRevisions, fnv1_32, goJson, hashRevisionData, newRevision, nextRevision, revisionName,
  safeEncodeString, templatePatch,
} from '../../../src/controllers/history.js';

describe('goJson (encoding/json of decoded JSON)', () => {
  it.each([
    [{ b: 1, a: { d: [1, 'x'], c: null } }, '{"a":{"c":null,"d":[1,"x"]},"b":1}'],
    [{ $patch: 'replace', metadata: {} }, '{"$patch":"replace","metadata":{}}'],
    ['<a&b>', '"\\u003ca\\u0026b\\u003e"'],
    ['line\nquote"back\\', '"line\\nquote\\"back\\\\"'],
    ['\u2028\u0001é', '"\\u2028\\u0001é"'],
    [[true, false, 1.5, 1e21, 0.0000001], '[true,false,1.5,1e+21,1e-07]'],
    [{ Z: 1, a: 2, _: 3 }, '{"Z":1,"_":3,"a":2}'],
  ])('%j → %s', (v, want) => {
    expect(goJson(v)).toBe(want);
  });
});

describe('hashing', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0x050c5d7e],
    ['foobar', 0x31f0b262],
  ])('FNV-1 32 of %j', (s, want) => {
    expect(fnv1_32(s)).toBe(want);
  });

  it('SafeEncodeString maps bytes onto consonants and digits', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    expect(safeEncodeString('abc')).toBe(`${'bcdfghjklmnpqrstvwxz2456789'[97 % 27]}${'bcdfghjklmnpqrstvwxz2456789'[98 % 27]}${'bcdfghjklmnpqrstvwxz2456789'[99 % 27]}`);
  });

  it('hashes data then the collision count, as decimal', () => {
    expect(hashRevisionData('x', 0)).toBe(safeEncodeString(String(fnv1_32('x0'))));
    expect(hashRevisionData('x', 3)).not.toBe(hashRevisionData('x', 0));
    expect(hashRevisionData('x')).toBe(safeEncodeString(String(fnv1_32('x'))));
  });

  it('cuts long owner names to 223 bytes', () => {
    expect(revisionName('web', 'abc')).toBe('web-abc');
    expect(revisionName('a'.repeat(300), 'h')).toBe(`${'a'.repeat(223)}-h`);
  });
});

const set = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'u1', annotations: { note: 'x' } },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }], ...extra } } },
});

describe('revision data and revisions', () => {
  it('is the template patch with the fields Go always writes', () => {
    expect(templatePatch(set('nginx'))).toBe(
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx","name":"c","resources":{}}]}}}}');
  });

  it('names the revision <owner>-<hash of data+collisionCount>, labels and owns it', () => {
    const r = newRevision(set('nginx'), { kind: 'StatefulSet', revision: 2, collisionCount: 0, annotations: { note: 'x' } });
    const hash = hashRevisionData(templatePatch(set('nginx')), 0);
    expect(r.metadata).toMatchObject({
      name: `web-${hash}`, namespace: 'ns', annotations: { note: 'x' },
      labels: { app: 'web', 'controller.kubernetes.io/hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }],
    });
    expect(r.revision).toBe(2);
    expect(r.data.spec.template.$patch).toBe('replace');
    expect(newRevision(set('nginx'), { kind: 'StatefulSet', revision: 2, collisionCount: 1 }).metadata.name).not.toBe(r.metadata.name);
  });

  it('finds equal revisions by data, numbers the next one and applies one back', () => {
    const a = newRevision(set('a'), { kind: 'StatefulSet', revision: 1 });
    const b = newRevision(set('b'), { kind: 'StatefulSet', revision: 4 });
    const a2 = { ...newRevision(set('a'), { kind: 'StatefulSet', revision: 7 }), metadata: { ...a.metadata, name: 'other' } };
    expect(findEqualRevisions([b, a2, a], newRevision(set('a'), { kind: 'StatefulSet', revision: 9 })).map((r) => r.revision)).toEqual([1, 7]);
    expect(nextRevision([a, b])).toBe(5);
    expect(nextRevision([])).toBe(1);
    const back = applyRevision(set('b'), a);
    expect(back.spec.template).toEqual({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'a', resources: {} }] } });
  });
});
