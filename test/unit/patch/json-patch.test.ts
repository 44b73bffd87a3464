import { describe, expect, it } from 'vitest';
import { applyPatch, jsonPatch, MAX_JSON_PATCH_OPERATIONS, PatchError } from '../../../src/machinery/patch/index.js';

const doc = {
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'a/b': '1', 'm~n': '2' } },
  spec: { replicas: 1, list: ['a', 'b', 'c'], template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
};

interface Case {
  name: string;
  ops: unknown[];
  expected: (d: any) => void;
}

const cases: Case[] = [
  { name: 'add a member', ops: [{ op: 'add', path: '/spec/paused', value: true }], expected: (d) => (d.spec.paused = true) },
  {
    name: 'add replaces an existing member',
    ops: [{ op: 'add', path: '/spec/replicas', value: 3 }],
    expected: (d) => (d.spec.replicas = 3),
  },
  {
    name: 'add inserts into an array',
    ops: [{ op: 'add', path: '/spec/list/1', value: 'x' }],
    expected: (d) => (d.spec.list = ['a', 'x', 'b', 'c']),
  },
  {
    name: 'add with - appends',
    ops: [{ op: 'add', path: '/spec/list/-', value: 'z' }],
    expected: (d) => d.spec.list.push('z'),
  },
  {
    name: 'add at index == length appends',
    ops: [{ op: 'add', path: '/spec/list/3', value: 'z' }],
    expected: (d) => d.spec.list.push('z'),
  },
  {
    name: 'add a whole container',
    ops: [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'd', image: 'y' } }],
    expected: (d) => d.spec.template.spec.containers.push({ name: 'd', image: 'y' }),
  },
  {
    name: 'add without value adds null (upstream)',
    ops: [{ op: 'add', path: '/spec/x' }],
    expected: (d) => (d.spec.x = null),
  },
  {
    name: '~1 and ~0 escapes',
    ops: [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'slash' },
      { op: 'remove', path: '/metadata/annotations/m~0n' },
      { op: 'add', path: '/metadata/labels/k8s.io~1x~01', value: 'y' },
    ],
    expected: (d) => {
      d.metadata.annotations = { 'a/b': 'slash' };
      d.metadata.labels['k8s.io/x~1'] = 'y';
    },
  },
  { name: 'remove a member', ops: [{ op: 'remove', path: '/metadata/labels' }], expected: (d) => delete d.metadata.labels },
  {
    name: 'remove an array element',
    ops: [{ op: 'remove', path: '/spec/list/0' }],
    expected: (d) => (d.spec.list = ['b', 'c']),
  },
  {
    name: 'remove with a negative index (upstream)',
    ops: [{ op: 'remove', path: '/spec/list/-1' }],
    expected: (d) => (d.spec.list = ['a', 'b']),
  },
  {
    name: 'replace a member',
    ops: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx' }],
    expected: (d) => (d.spec.template.spec.containers[0].image = 'nginx'),
  },
  {
    name: 'replace an absent object member sets it (upstream leniency)',
    ops: [{ op: 'replace', path: '/metadata/labels/new', value: 'v' }],
    expected: (d) => (d.metadata.labels.new = 'v'),
  },
  {
    name: 'rollout undo style replace of a subtree',
    ops: [
      { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'c', image: 'old' }] } } },
      { op: 'replace', path: '/metadata/annotations', value: { rev: '1' } },
    ],
    expected: (d) => {
      d.spec.template = { spec: { containers: [{ name: 'c', image: 'old' }] } };
      d.metadata.annotations = { rev: '1' };
    },
  },
  {
    name: 'replace the whole document',
    ops: [{ op: 'replace', path: '', value: { kind: 'X' } }],
    expected: (d) => {
      for (const k of Object.keys(d)) delete d[k];
      d.kind = 'X';
    },
  },
  {
    name: 'move a member',
    ops: [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/annotations/app' }],
    expected: (d) => {
      delete d.metadata.labels.app;
      d.metadata.annotations.app = 'web';
    },
  },
  {
    name: 'move within an array',
    ops: [{ op: 'move', from: '/spec/list/0', path: '/spec/list/-' }],
    expected: (d) => (d.spec.list = ['b', 'c', 'a']),
  },
  {
    name: 'copy a member (a deep copy)',
    ops: [
      { op: 'copy', from: '/spec/template/spec/containers/0', path: '/spec/template/spec/containers/-' },
      { op: 'replace', path: '/spec/template/spec/containers/1/name', value: 'c2' },
    ],
    expected: (d) => d.spec.template.spec.containers.push({ name: 'c2', image: 'x' }),
  },
  {
    name: 'test that passes, then an edit',
    ops: [
      { op: 'test', path: '/spec/template/spec/containers/0', value: { image: 'x', name: 'c' } },
      { op: 'test', path: '/metadata/missing', value: null },
      { op: 'replace', path: '/spec/replicas', value: 2 },
    ],
    expected: (d) => (d.spec.replicas = 2),
  },
  { name: 'an empty patch', ops: [], expected: () => undefined },
];

describe('jsonPatch', () => {
  it.each(cases)('$name', ({ ops, expected }) => {
    const before = JSON.stringify({ doc, ops });
    const want = structuredClone(doc);
    expected(want);
    expect(jsonPatch(doc, ops)).toEqual(want);
    expect(JSON.stringify({ doc, ops })).toBe(before);
  });

  it('applies a null body as no operations', () => {
    expect(jsonPatch(doc, null)).toEqual(doc);
  });

  it('is reachable through applyPatch', () => {
    expect(applyPatch('json', { a: 1 }, [{ op: 'add', path: '/b', value: 2 }])).toEqual({ a: 1, b: 2 });
  });
});

interface ErrorCase {
  name: string;
  patch: unknown;
  kind: PatchError['kind'];
  message: string;
}

const errorCases: ErrorCase[] = [
  {
    name: 'body not a list',
    patch: { op: 'add' },
    kind: 'badRequest',
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  },
  {
    name: 'operation not an object',
    patch: ['add'],
    kind: 'badRequest',
    message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
  },
  { name: 'unknown op', patch: [{ op: 'merge', path: '/a' }], kind: 'invalid', message: 'Unexpected kind: merge' },
  { name: 'missing op', patch: [{ path: '/a' }], kind: 'invalid', message: 'Unexpected kind: unknown' },
  {
    name: 'add without path',
    patch: [{ op: 'add', value: 1 }],
    kind: 'invalid',
    message: 'add operation failed to decode path: missing value',
  },
  {
    name: 'add under a missing parent',
    patch: [{ op: 'add', path: '/spec/foo/bar', value: 1 }],
    kind: 'invalid',
    message: 'add operation does not apply: doc is missing path: "/spec/foo/bar": missing value',
  },
  {
    name: 'add at the root',
    patch: [{ op: 'add', path: '', value: {} }],
    kind: 'invalid',
    message: 'add operation does not apply: doc is missing path: "": missing value',
  },
  {
    name: 'pointer without a leading slash',
    patch: [{ op: 'add', path: 'spec/replicas', value: 1 }],
    kind: 'invalid',
    message: 'add operation does not apply: doc is missing path: "spec/replicas": missing value',
  },
  {
    name: 'add past the end of an array',
    patch: [{ op: 'add', path: '/spec/list/5', value: 'x' }],
    kind: 'invalid',
    message: "error in add for path: '/spec/list/5': Unable to access invalid index: 5: invalid index referenced",
  },
  {
    name: 'add with a non-numeric array index',
    patch: [{ op: 'add', path: '/spec/list/x', value: 'x' }],
    kind: 'invalid',
    message: `error in add for path: '/spec/list/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
  },
  {
    name: 'remove a missing member',
    patch: [{ op: 'remove', path: '/spec/foo' }],
    kind: 'invalid',
    message: "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing value",
  },
  {
    name: 'remove under a missing parent',
    patch: [{ op: 'remove', path: '/status/foo' }],
    kind: 'invalid',
    message: 'remove operation does not apply: doc is missing path: "/status/foo": missing value',
  },
  {
    name: 'remove past the end of an array',
    patch: [{ op: 'remove', path: '/spec/list/3' }],
    kind: 'invalid',
    message: "error in remove for path: '/spec/list/3': Unable to access invalid index: 3: invalid index referenced",
  },
  {
    name: 'replace past the end of an array',
    patch: [{ op: 'replace', path: '/spec/list/9', value: 'x' }],
    kind: 'invalid',
    message: 'replace operation does not apply: doc is missing key: /spec/list/9: missing value',
  },
  {
    name: 'replace under a missing parent',
    patch: [{ op: 'replace', path: '/spec/foo/bar', value: 1 }],
    kind: 'invalid',
    message: 'replace operation does not apply: doc is missing path: /spec/foo/bar: missing value',
  },
  {
    name: 'move from a missing member',
    patch: [{ op: 'move', from: '/spec/nope', path: '/spec/yes' }],
    kind: 'invalid',
    message: "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
  },
  {
    name: 'move without from',
    patch: [{ op: 'move', path: '/spec/yes' }],
    kind: 'invalid',
    message: 'move operation failed to decode from: operation, missing from field: missing value',
  },
  {
    name: 'move into its own child',
    patch: [{ op: 'move', from: '/spec', path: '/spec/inner' }],
    kind: 'invalid',
    message: 'move operation does not apply: doc is missing destination path: /spec/inner: missing value',
  },
  {
    name: 'copy from a missing member',
    patch: [{ op: 'copy', from: '/spec/nope', path: '/spec/yes' }],
    kind: 'invalid',
    message: 'copy operation does not apply: doc is missing from path: /spec/nope: missing value',
  },
  {
    name: 'copy to a missing parent',
    patch: [{ op: 'copy', from: '/spec/replicas', path: '/status/replicas' }],
    kind: 'invalid',
    message: 'copy operation does not apply: doc is missing destination path: /status/replicas: missing value',
  },
  {
    name: 'test with a different value',
    patch: [{ op: 'test', path: '/spec/replicas', value: 2 }],
    kind: 'invalid',
    message: 'testing value /spec/replicas failed: test failed',
  },
  {
    name: 'test of a missing member against a value',
    patch: [{ op: 'test', path: '/spec/foo', value: 'x' }],
    kind: 'invalid',
    message: 'testing value /spec/foo failed: test failed',
  },
  {
    name: 'test under a missing parent',
    patch: [{ op: 'test', path: '/status/foo', value: 'x' }],
    kind: 'invalid',
    message: 'test operation does not apply: is missing path: /status/foo: missing value',
  },
  {
    name: 'a failing test after edits applies nothing',
    patch: [
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'test', path: '/metadata/name', value: 'other' },
    ],
    kind: 'invalid',
    message: 'testing value /metadata/name failed: test failed',
  },
];

describe('jsonPatch errors', () => {
  it.each(errorCases)('$name', ({ patch, kind, message }) => {
    const before = JSON.stringify(doc);
    let caught: unknown;
    try {
      jsonPatch(doc, patch);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PatchError);
    const err = caught as PatchError;
    expect(err.kind).toBe(kind);
    expect(err.message).toBe(message);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('answers a failed operation as upstream does: 422 Invalid with the generic message', () => {
    try {
      jsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 9 }]);
      expect.unreachable();
    } catch (err) {
      const e = err as PatchError;
      expect([e.code, e.reason, e.statusMessage]).toEqual([
        422,
        'Invalid',
        'the server rejected our request due to an error in our request',
      ]);
    }
  });

  it('refuses more than the maximum number of operations with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
    try {
      jsonPatch(doc, ops);
      expect.unreachable();
    } catch (err) {
      const e = err as PatchError;
      expect([e.kind, e.code, e.statusMessage]).toEqual([
        'requestEntityTooLarge',
        413,
        'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
      ]);
    }
    expect(jsonPatch(doc, ops.slice(1))).toEqual(doc);
  });
});
