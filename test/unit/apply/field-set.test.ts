import { describe, expect, it } from 'vitest';
import { definitionFor, definitions, type SchemaNode } from '../../../src/api/schema.js';
import { FieldSet, FieldPathError, fieldsOf, mergeObjects, pathToString, type FieldsV1 } from '../../../src/machinery/apply/index.js';

function schema(group: string, version: string, kind: string, name: string): SchemaNode {
  const s = definitionFor({ group, version, kind }) ?? definitions[name];
  if (!s) throw new Error(`no schema for ${name}`);
  return s;
}
const deployment = schema('apps', 'v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment');
const pod = schema('', 'v1', 'Pod', 'io.k8s.api.core.v1.Pod');

/** Key order matters in fieldsV1 output, so compare the serialized text. */
const text = (v: unknown): string => JSON.stringify(v);

describe('fieldsV1 round trips', () => {
  const cases: { name: string; json: string }[] = [
    {
      name: 'fields, keyed item with "." and a granular map',
      json: '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{}}}}}',
    },
    {
      name: 'multi-field keys (container ports by containerPort+protocol)',
      json: '{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:ports":{".":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}},"k:{\\"containerPort\\":443,\\"protocol\\":\\"TCP\\"}":{}}}}}}',
    },
    {
      name: 'set values',
      json: '{"f:metadata":{"f:finalizers":{".":{},"v:\\"example.com/a\\"":{},"v:\\"kubernetes\\"":{}}}}',
    },
    { name: 'indexes', json: '{"f:spec":{"f:x":{"i:0":{},"i:2":{"f:a":{}}}}}' },
    { name: 'HTML-safe escaping as Go writes it', json: '{"f:a":{"v:\\"\\\\u003cb\\\\u0026\\"":{}}}' },
    { name: 'empty set', json: '{}' },
  ];
  it.each(cases)('$name', ({ json }) => {
    const set = FieldSet.fromFieldsV1(JSON.parse(json) as FieldsV1);
    expect(text(set.toFieldsV1())).toBe(json);
  });

  const normalizing: { name: string; input: string; output: string }[] = [
    {
      name: 'key fields are sorted by name',
      input: '{"f:ports":{"k:{\\"protocol\\":\\"UDP\\",\\"containerPort\\":53}":{}}}',
      output: '{"f:ports":{"k:{\\"containerPort\\":53,\\"protocol\\":\\"UDP\\"}":{}}}',
    },
    {
      name: 'entries are ordered fields, keys, values, indexes; numbers numerically',
      input: '{"i:1":{},"v:2":{},"k:{\\"a\\":10}":{},"k:{\\"a\\":9}":{},"f:b":{},"f:a":{}}',
      output: '{"f:a":{},"f:b":{},"k:{\\"a\\":9}":{},"k:{\\"a\\":10}":{},"v:2":{},"i:1":{}}',
    },
    { name: 'unknown prefixes are dropped', input: '{"x:what":{},"f:a":{}}', output: '{"f:a":{}}' },
    { name: 'a lone "." under a child is a member', input: '{"f:a":{".":{}}}', output: '{"f:a":{}}' },
  ];

  it('decodes escaped values', () => {
    const set = FieldSet.fromFieldsV1({ 'f:a': { 'v:"\\u003cb\\u0026"': {} } });
    expect(set.paths().map(pathToString)).toEqual(['.a[="<b&"]']);
  });
  it.each(normalizing)('$name', ({ input, output }) => {
    expect(text(FieldSet.fromFieldsV1(JSON.parse(input) as FieldsV1).toFieldsV1())).toBe(output);
  });
});

describe('set algebra', () => {
  const S = (json: string): FieldSet => FieldSet.fromFieldsV1(JSON.parse(json) as FieldsV1);
  const a = S('{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:paused":{}}}');
  const b = S('{"f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}},"f:spec":{"f:replicas":{}}}');
  it.each([
    ['union', a.union(b), '{"f:metadata":{"f:labels":{".":{},"f:app":{},"f:tier":{}}},"f:spec":{"f:paused":{},"f:replicas":{}}}'],
    ['intersection', a.intersection(b), '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}}'],
    ['difference', a.difference(b), '{"f:metadata":{"f:labels":{}},"f:spec":{"f:paused":{}}}'],
    ['difference (other way)', b.difference(a), '{"f:metadata":{"f:labels":{"f:tier":{}}}}'],
    ['recursive difference drops what lies below a member', b.recursiveDifference(S('{"f:metadata":{"f:labels":{}}}')), '{"f:spec":{"f:replicas":{}}}'],
  ])('%s', (_name, result, expected) => {
    expect(text(result.toFieldsV1())).toBe(expected);
  });

  // An element can be a member and have members below it; the algebra treats the two apart.
  const m = S('{"f:spec":{".":{},"f:a":{}},"f:x":{}}');
  const n = S('{"f:spec":{"f:b":{}},"f:x":{".":{},"f:y":{}}}');
  it.each([
    ['union of member-and-parent entries', m.union(n), '{"f:spec":{".":{},"f:a":{},"f:b":{}},"f:x":{".":{},"f:y":{}}}'],
    ['intersection keeps only what both hold', m.intersection(n), '{"f:x":{}}'],
    ['difference keeps the members below a removed member', n.difference(m), '{"f:spec":{"f:b":{}},"f:x":{"f:y":{}}}'],
    ['recursive difference drops them too', n.recursiveDifference(m), '{}'],
    ['difference down to nothing is empty', m.difference(m), '{}'],
  ])('%s', (_name, result, expected) => {
    expect(text(result.toFieldsV1())).toBe(expected);
  });

  it('compares, sizes and lists member-and-parent entries', () => {
    expect(m.size()).toBe(3);
    expect(n.size()).toBe(3);
    expect(m.equals(S('{"f:x":{},"f:spec":{"f:a":{},".":{}}}'))).toBe(true);
    expect(m.equals(S('{"f:spec":{"f:a":{}},"f:x":{}}'))).toBe(false);
    expect(m.equals(S('{"f:spec":{".":{},"f:a":{}},"f:x":{".":{},"f:y":{}}}'))).toBe(false);
    expect(m.memberElements()).toEqual(expect.arrayContaining([{ field: 'spec' }, { field: 'x' }]));
    expect(m.childElements()).toEqual([{ field: 'spec' }]);
    expect(m.union(n).paths().map(pathToString)).toEqual(['.spec', '.x', '.spec.a', '.spec.b', '.x.y']);
  });

  it('builds with insert, addMember and setChild without leaving empty subsets', () => {
    const s = FieldSet.fromPaths([[{ field: 'b' }, { field: 'c' }], [{ field: 'a' }]]);
    s.insert([{ field: 'b' }]);
    s.addMember({ key: [['name', 'x']] });
    expect(text(s.toFieldsV1())).toBe('{"f:a":{},"f:b":{".":{},"f:c":{}},"k:{\\"name\\":\\"x\\"}":{}}');
    s.setChild({ field: 'b' }, new FieldSet());
    s.setChild({ field: 'a' }, FieldSet.fromPaths([[{ index: 0 }]]));
    s.setChild({ field: 'z' }, new FieldSet());
    expect(text(s.toFieldsV1())).toBe('{"f:a":{".":{},"i:0":{}},"f:b":{},"k:{\\"name\\":\\"x\\"}":{}}');
    expect(s.has([{ field: 'a' }, { index: 0 }])).toBe(true);
    expect(s.withPrefix({ field: 'b' })).toBeUndefined();
    expect(s.hasMember({ key: [['name', 'x']] })).toBe(true);
  });

  it('merges two spellings of one element', () => {
    const s = S('{"k:{\\"b\\":1,\\"a\\":2}":{"f:x":{}},"k:{\\"a\\":2,\\"b\\":1}":{}}');
    expect(text(s.toFieldsV1())).toBe('{"k:{\\"a\\":2,\\"b\\":1}":{".":{},"f:x":{}}}');
  });

  it('lists member paths in upstream notation', () => {
    const s = S('{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{"f:image":{}}}}}},"f:metadata":{"f:finalizers":{"v:\\"x\\"":{}}}}');
    expect(s.paths().map(pathToString)).toEqual([
      '.metadata.finalizers[="x"]',
      '.spec.replicas',
      '.spec.template.spec.containers[name="nginx"].image',
    ]);
    expect(s.has([{ field: 'spec' }, { field: 'replicas' }])).toBe(true);
    expect(s.has([{ field: 'spec' }])).toBe(false);
  });
});

describe('fieldsOf (the fields an object sets)', () => {
  const cases: { name: string; schema: SchemaNode | undefined; obj: unknown; fields: string }[] = [
    {
      name: 'labels are a granular map; struct fields are not members themselves',
      schema: deployment,
      obj: { metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } } },
      fields: '{"f:metadata":{"f:labels":{"f:app":{},"f:tier":{}},"f:name":{}}}',
    },
    {
      name: 'containers keyed by name, ports by containerPort+protocol, args atomic',
      schema: deployment,
      obj: {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'nginx', image: 'nginx', args: ['a', 'b'], ports: [{ containerPort: 80, protocol: 'TCP' }] }],
            },
          },
        },
      },
      fields:
        '{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:args":{},"f:image":{},"f:name":{},"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}}}',
    },
    {
      name: 'a port without protocol is keyed with the default TCP',
      schema: pod,
      obj: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } },
      fields:
        '{"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:name":{},"f:ports":{"k:{\\"containerPort\\":8080,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}',
    },
    {
      name: 'finalizers are a set; selector an atomic map; {} values are members',
      schema: deployment,
      obj: { metadata: { finalizers: ['b', 'a'] }, spec: { selector: { matchLabels: { app: 'web' } }, strategy: {} } },
      fields: '{"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}}},"f:spec":{"f:selector":{},"f:strategy":{}}}',
    },
    {
      name: 'no schema: maps granular (every key a member), lists atomic',
      schema: undefined,
      obj: { spec: { size: 3, items: [1, 2], nested: { a: 'x' } } },
      fields: '{"f:spec":{".":{},"f:items":{},"f:nested":{".":{},"f:a":{}},"f:size":{}}}',
    },
  ];
  it.each(cases)('$name', ({ schema: s, obj, fields }) => {
    expect(text(fieldsOf(obj, s ?? 'deduced').toFieldsV1())).toBe(fields);
  });

  it.each([
    {
      name: 'missing key field',
      obj: { spec: { containers: [{ image: 'x' }] } },
      message: '.spec.containers: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    },
    {
      name: 'duplicate keys',
      obj: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } },
      message: '.spec.containers: duplicate entries for key [name="a"]',
    },
  ])('rejects $name', ({ obj, message }) => {
    expect(() => fieldsOf(obj, pod)).toThrow(FieldPathError);
    expect(() => fieldsOf(obj, pod)).toThrow(message);
  });

  // Key fields are written sorted by name, but a missing one is reported in the schema's order.
  const twoKeys: SchemaNode = {
    type: 'object',
    properties: {
      items: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['z', 'a'],
        items: { type: 'object', properties: { z: { type: 'string' }, a: { type: 'integer' }, v: { type: 'string' } } },
      },
    },
  };
  it.each([
    { name: 'keys sorted by name', obj: { items: [{ z: 'x', a: 1, v: '<&>' }] }, fields: '{"f:items":{"k:{\\"a\\":1,\\"z\\":\\"x\\"}":{".":{},"f:a":{},"f:v":{},"f:z":{}}}}' },
    { name: 'a key value with HTML characters', obj: { items: [{ z: '<&>', a: 2 }] }, fields: '{"f:items":{"k:{\\"a\\":2,\\"z\\":\\"\\\\u003c\\\\u0026\\\\u003e\\"}":{".":{},"f:a":{},"f:z":{}}}}' },
  ])('multi-field keys: $name', ({ obj, fields }) => {
    expect(text(fieldsOf(obj, twoKeys).toFieldsV1())).toBe(fields);
  });
  it.each([
    { obj: { items: [{ v: 'x' }] }, missing: 'z' },
    { obj: { items: [{ z: 'x' }] }, missing: 'a' },
  ])('names the first missing key field in the schema order ($missing)', ({ obj, missing }) => {
    expect(() => fieldsOf(obj, twoKeys)).toThrow(`.items: associative list with keys has an element that omits key field "${missing}"`);
  });
  it('names the list of a nested duplicate', () => {
    const obj = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] }] } };
    expect(() => fieldsOf(obj, pod)).toThrow('.spec.containers[name="a"].ports: duplicate entries for key [containerPort=80,protocol="TCP"]');
  });
});

describe('mergeObjects', () => {
  const containers = (...names: string[]): unknown => ({ spec: { containers: names.map((name) => ({ name })) } });
  it.each([
    { live: ['a', 'b', 'c'], applied: ['c', 'a'], merged: ['b', 'c', 'a'] },
    { live: ['a', 'b'], applied: ['b', 'x'], merged: ['a', 'b', 'x'] },
    { live: ['a'], applied: ['x', 'a'], merged: ['x', 'a'] },
  ])('orders keyed items like upstream: $live + $applied', ({ live, applied, merged }) => {
    const out = mergeObjects(containers(...live), containers(...applied), pod) as { spec: { containers: { name: string }[] } };
    expect(out.spec.containers.map((c) => c.name)).toEqual(merged);
  });

  it('merges item fields by key and replaces atomic lists', () => {
    const out = mergeObjects(
      { spec: { containers: [{ name: 'a', image: 'old', args: ['1', '2'], tty: true }] } },
      { spec: { containers: [{ name: 'a', image: 'new', args: ['3'] }] } },
      pod,
    );
    expect(out).toEqual({ spec: { containers: [{ name: 'a', image: 'new', args: ['3'], tty: true }] } });
  });
});
