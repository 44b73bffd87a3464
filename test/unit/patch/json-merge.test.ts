import { describe, expect, it } from 'vitest';
import { applyPatch, jsonMergePatch, mergeJsonValue, PatchError, patchTypeFor } from '../../../src/machinery/patch/index.js';

// RFC 7386 appendix A, plus Kubernetes-shaped cases.
const rfcCases: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  [undefined, { a: [null, 1] }, { a: [null, 1] }],
];

describe('mergeJsonValue (RFC 7386)', () => {
  it.each(rfcCases)('%j + %j', (target, patch, expected) => {
    const before = JSON.stringify({ target, patch });
    expect(mergeJsonValue(target, patch)).toEqual(expected);
    expect(JSON.stringify({ target, patch })).toBe(before);
  });

  it('keeps a __proto__ key as data', () => {
    const out = mergeJsonValue({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('jsonMergePatch', () => {
  const deployment = {
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
  };

  it.each([
    {
      name: 'kubectl scale',
      patch: { spec: { replicas: 3 } },
      expected: { ...deployment, spec: { ...deployment.spec, replicas: 3 } },
    },
    {
      name: 'kubectl label / annotate',
      patch: { metadata: { labels: { env: 'prod', tier: null } } },
      expected: { ...deployment, metadata: { name: 'web', labels: { app: 'web', env: 'prod' } } },
    },
    {
      name: 'lists are replaced wholesale (ports are lost)',
      patch: { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } },
      expected: { ...deployment, spec: { replicas: 1, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } },
    },
  ])('$name', ({ patch, expected }) => {
    expect(jsonMergePatch(deployment, patch)).toEqual(expected);
    expect(applyPatch('merge', deployment, patch)).toEqual(expected);
  });

  it.each([null, 'x', 3, ['a']])('refuses a %j body with 400 "Invalid JSON Patch"', (body) => {
    try {
      jsonMergePatch(deployment, body);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PatchError);
      const e = err as PatchError;
      expect([e.kind, e.code, e.reason, e.statusMessage]).toEqual(['badRequest', 400, 'BadRequest', 'Invalid JSON Patch']);
    }
  });
});

describe('patchTypeFor', () => {
  it.each([
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json; charset=utf-8', 'merge'],
    ['Application/Strategic-Merge-Patch+JSON', 'strategic'],
    ['application/apply-patch+yaml', undefined],
    ['application/json', undefined],
  ])('%s → %s', (ct, type) => {
    expect(patchTypeFor(ct)).toBe(type);
  });
});
