import { describe, expect, it } from 'vitest';
import { definitionFor, definitions, type SchemaNode } from '../../src/api/schema.js';
import {
  findDuplicateFields, findUnknownFields, goValueString, strictDecodingError, strictDecodingMessage,
  strictPatchStatus, strictWarnings,
} from '../../src/machinery/field-validation.js';

const ref = (name: string): SchemaNode => {
  expect(definitions[name], name).toBeDefined();
  return { $ref: name };
};
const DEPLOYMENT = ref('io.k8s.api.apps.v1.Deployment');
const POD = ref('io.k8s.api.core.v1.Pod');
const CONFIGMAP = ref('io.k8s.api.core.v1.ConfigMap');
const SERVICE = ref('io.k8s.api.core.v1.Service');
const REVISION = ref('io.k8s.api.apps.v1.ControllerRevision');

const deployment = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'web' }) =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec });

describe('findUnknownFields', () => {
  it.each<[string, SchemaNode, unknown, string[]]>([
    ['a valid deployment', DEPLOYMENT, deployment({
      replicas: 2, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
    }), []],
    ['a top-level field', DEPLOYMENT, { ...deployment({}), foo: 1 }, ['foo']],
    ['spec fields, in order', DEPLOYMENT, deployment({ foo: 1, replicas: 1, bar: { x: 1 } }), ['spec.foo', 'spec.bar']],
    ['metadata', DEPLOYMENT, deployment({}, { name: 'web', labelz: { a: 'b' } }), ['metadata.labelz']],
    ['case matters', DEPLOYMENT, deployment({ Replicas: 1 }), ['spec.Replicas']],
    ['nested list items', DEPLOYMENT, deployment({
      template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', imagee: 'x', ports: [{ containerPort: 80, hostport: 1 }] }] } },
    }), ['spec.template.spec.containers[1].imagee', 'spec.template.spec.containers[1].ports[0].hostport']],
    ['maps take any key', POD, { metadata: { labels: { 'any/key': 'v' }, annotations: { x: 'y' } }, spec: { nodeSelector: { 'a.b/c': 'd' } } }, []],
    ['maps of structs check their values', POD, {
      spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1', memory: 2 }, requests: { cpu: 0.5 } } }] },
    }, []],
    ['int-or-string and quantities are leaves', SERVICE, { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } }, []],
    ['a wrong type is not an unknown field', SERVICE, { spec: { ports: [{ port: 80, targetPort: { nested: true } }] } }, []],
    ['RawExtension takes anything', REVISION, { revision: 1, data: { anything: { goes: [1, 2] } } }, []],
    ['managedFields.fieldsV1 takes anything', CONFIGMAP, {
      metadata: { managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': { 'f:x': {} } } }] }, data: { k: 'v' },
    }, []],
    ['an unknown field inside an unknown field is reported once', CONFIGMAP, { extra: { deeper: { x: 1 } } }, ['extra']],
    ['preserve-unknown-fields', { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true } as SchemaNode,
      { a: 'x', b: { c: 1 } }, []],
    ['additionalProperties: true', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true }, { b: 1 }, []],
    ['null values still count', DEPLOYMENT, deployment({ foo: null }), ['spec.foo']],
  ])('%s', (_, schema, obj, expected) => {
    expect(findUnknownFields(obj, schema)).toEqual(expected);
  });

  it('works from a group-version-kind lookup too', () => {
    const node = definitionFor({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(node).toBeDefined();
    expect(findUnknownFields(deployment({ foo: 1 }), node!)).toEqual(['spec.foo']);
  });
});

describe('findDuplicateFields', () => {
  it.each<[string, string, string[]]>([
    ['none', '{"a":1,"b":{"a":2}}', []],
    ['top level', '{"kind":"Pod","kind":"Pod"}', ['kind']],
    ['nested', '{"spec":{"replicas":1,"selector":{},"replicas":2}}', ['spec.replicas']],
    ['inside list items', '{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","name":"c"}]}}', ['spec.containers[1].name']],
    ['each repeat', '{"a":1,"a":2,"a":3}', ['a', 'a']],
    ['escaped keys', '{"a\\"b":1,"a\\u0022b":2}', ['a"b']],
    ['strings holding braces and quotes', '{"x":"{\\"y\\":1,\\"y\\":2}","x2":[1,"]",{"z":1,"z":2}]}', ['x2[2].z']],
    ['whitespace and nesting', '{ "a" : [ [ { "b" : 1 , "b" : 2 } ] ] }', ['a[0][0].b']],
    ['broken JSON keeps what came before', '{"a":1,"a":2,"b":', ['a']],
  ])('%s', (_, json, expected) => {
    expect(findDuplicateFields(json)).toEqual(expected);
  });
});

describe('messages', () => {
  it('matches upstream strict decoding wording for create and update', () => {
    expect(strictDecodingMessage('Deployment', 'v1', ['spec.foo', 'spec.bar'], []))
      .toBe('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
    expect(strictDecodingError(['spec.unknownField'], ['spec.replicas']))
      .toBe('strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"');
  });

  it('gives one warning per finding', () => {
    expect(strictWarnings(['spec.foo'], ['metadata.name'])).toEqual(['unknown field "spec.foo"', 'duplicate field "metadata.name"']);
  });

  it('builds the 422 of a strict patch', () => {
    const s = strictPatchStatus(goValueString({ spec: { replicas: 3, foo: 'x' } }), ['spec.foo'], []);
    expect(s.code).toBe(422);
    expect(s.message).toBe(' "" is invalid: patch: Invalid value: "map[spec:map[foo:x replicas:3]]": strict decoding error: unknown field "spec.foo"');
    expect(s.details.causes).toEqual([{
      reason: 'FieldValueInvalid', field: 'patch',
      message: 'Invalid value: "map[spec:map[foo:x replicas:3]]": strict decoding error: unknown field "spec.foo"',
    }]);
  });

  it('prints values as Go does', () => {
    expect(goValueString({ b: [1, 'x', null], a: true, c: 1.5 })).toBe('map[a:true b:[1 x <nil>] c:1.5]');
  });
});
