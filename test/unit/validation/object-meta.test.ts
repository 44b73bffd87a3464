import { describe, expect, it } from 'vitest';
import {
  errorString,
  labelSelectorMatches,
  nameIsDNSLabel,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  type FieldError,
} from '../../../src/machinery/validation/index.js';

const render = (errs: FieldError[]) => errs.map(errorString);

describe('validateObjectMeta', () => {
  it.each([
    ['valid namespaced', { name: 'a', namespace: 'default' }, true, []],
    ['name missing', { namespace: 'default' }, true, ['metadata.name: Required value: name or generateName is required']],
    ['namespace missing', { name: 'a' }, true, ['metadata.namespace: Required value']],
    ['namespace on cluster kind', { name: 'a', namespace: 'x' }, false, ['metadata.namespace: Forbidden: not allowed on this type']],
    [
      'bad label value',
      { name: 'a', labels: { app: '-x' } },
      false,
      [expect.stringMatching(/^metadata\.labels: Invalid value: "-x": a valid label must be an empty string/)],
    ],
    [
      'bad annotation key',
      { name: 'a', annotations: { 'a b': '' } },
      false,
      [expect.stringMatching(/^metadata\.annotations: Invalid value: "a b": name part must consist of/)],
    ],
    [
      'annotations too big',
      { name: 'a', annotations: { big: 'x'.repeat(256 * 1024) } },
      false,
      ['metadata.annotations: Too long: may not be more than 262144 bytes'],
    ],
    [
      'owner reference without uid',
      { name: 'a', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' }] },
      false,
      ['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'],
    ],
    [
      'two controllers',
      {
        name: 'a',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'A', name: 'x', uid: '1', controller: true },
          { apiVersion: 'v1', kind: 'B', name: 'y', uid: '2', controller: true },
        ],
      },
      false,
      [expect.stringContaining('Only one reference can have Controller set to true. Found "true" in references for A/x and B/y')],
    ],
  ])('%s', (_n, meta, namespaced, want) => {
    expect(render(validateObjectMeta(meta, { namespaced }))).toEqual(want);
  });

  it('uses the given name validator', () => {
    expect(render(validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameValidator: nameIsDNSLabel }))).toEqual([
      'metadata.name: Invalid value: "a.b": must not contain dots',
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  it('rejects changing immutable fields', () => {
    const old = { name: 'a', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
    expect(render(validateObjectMetaUpdate({ ...old, uid: 'u2', labels: { x: 'y' } }, old))).toEqual([
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
  });
  it('rejects new finalizers during deletion', () => {
    const old = { name: 'a', deletionTimestamp: 't', finalizers: ['a/b'] };
    expect(render(validateObjectMetaUpdate({ ...old, finalizers: ['a/b', 'c/d'] }, old))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"c/d"}',
    ]);
  });
});

describe('label selectors', () => {
  it('validates requirements', () => {
    expect(
      render(
        validateLabelSelector(
          { matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Foo' }] },
          'spec.selector',
        ),
      ),
    ).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Foo": not a valid selector operator',
    ]);
  });
  it('matches', () => {
    const sel = { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };
    expect(labelSelectorMatches(sel, { app: 'a', tier: 'web' })).toBe(true);
    expect(labelSelectorMatches(sel, { app: 'a', tier: 'db' })).toBe(false);
    expect(labelSelectorMatches({}, {})).toBe(true);
  });
});
