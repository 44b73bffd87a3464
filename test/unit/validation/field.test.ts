import { describe, expect, it } from 'vitest';
import {
  aggregateMessage,
  duplicate,
  errorMessage,
  errorString,
  fieldPath,
  forbidden,
  invalid,
  invalidStatus,
  notFound,
  notSupported,
  required,
  tooLong,
  tooMany,
} from '../../../src/machinery/validation/index.js';

describe('field errors render like the API server', () => {
  const p = fieldPath('spec').child('containers').index(0);
  it.each([
    [required(p.child('image')), 'spec.containers[0].image', 'Required value'],
    [required('metadata.name', 'name or generateName is required'), 'metadata.name', 'Required value: name or generateName is required'],
    [invalid('metadata.name', 'Foo', 'bad'), 'metadata.name', 'Invalid value: "Foo": bad'],
    [invalid('spec.replicas', -1, 'must be greater than or equal to 0'), 'spec.replicas', 'Invalid value: -1: must be greater than or equal to 0'],
    [invalid('spec.template.metadata.labels', { b: '2', a: '1' }, 'x'), 'spec.template.metadata.labels', 'Invalid value: {"a":"1","b":"2"}: x'],
    [
      notSupported(p.child('imagePullPolicy'), 'x', ['Always', 'IfNotPresent', 'Never']),
      'spec.containers[0].imagePullPolicy',
      'Unsupported value: "x": supported values: "Always", "IfNotPresent", "Never"',
    ],
    [duplicate(p.child('name'), 'a'), 'spec.containers[0].name', 'Duplicate value: "a"'],
    [forbidden('metadata.namespace', 'not allowed on this type'), 'metadata.namespace', 'Forbidden: not allowed on this type'],
    [tooLong('metadata.annotations', 63), 'metadata.annotations', 'Too long: may not be more than 63 bytes'],
    [tooMany('spec.x', 5, 4), 'spec.x', 'Too many: 5: must have at most 4 items'],
    [notFound(p.child('volumeMounts').index(0).child('name'), 'x'), 'spec.containers[0].volumeMounts[0].name', 'Not found: "x"'],
    [invalid(fieldPath('spec', 'resources').child('requests').key('cpu'), '2', 'd'), 'spec.resources.requests[cpu]', 'Invalid value: "2": d'],
  ])('%#', (err, field, msg) => {
    expect(err.field).toBe(field);
    expect(errorMessage(err)).toBe(msg);
    expect(errorString(err)).toBe(`${field}: ${msg}`);
  });

  it('aggregates one error bare and several in brackets, without duplicates', () => {
    const a = required('spec.a');
    const b = required('spec.b');
    expect(aggregateMessage([a])).toBe('spec.a: Required value');
    expect(aggregateMessage([a, b, a])).toBe('[spec.a: Required value, spec.b: Required value]');
  });

  it('builds the 422 Invalid status', () => {
    const st = invalidStatus('apps', 'Deployment', 'd', [required('spec.selector')]);
    expect(st.code).toBe(422);
    expect(st.reason).toBe('Invalid');
    expect(st.message).toBe('Deployment.apps "d" is invalid: spec.selector: Required value');
    expect(st.details).toEqual({
      name: 'd',
      group: 'apps',
      kind: 'Deployment',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }],
    });
    expect(invalidStatus('', 'Pod', 'p', [required('spec.containers')]).message).toBe(
      'Pod "p" is invalid: spec.containers: Required value',
    );
  });
});
