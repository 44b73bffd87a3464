import { describe, expect, it } from 'vitest';
import { definitionFor, type GroupVersionKind, type SchemaNode } from '../../../src/api/schema.js';
import { PatchError, strategicMergePatch } from '../../../src/machinery/patch/index.js';

function schemaOf(gvk: GroupVersionKind): SchemaNode {
  const s = definitionFor(gvk);
  if (!s) throw new Error(`no schema for ${gvk.kind}`);
  return s;
}

const deploymentSchema = schemaOf({ group: 'apps', version: 'v1', kind: 'Deployment' });
const podSchema = schemaOf({ group: '', version: 'v1', kind: 'Pod' });
const nodeSchema = schemaOf({ group: '', version: 'v1', kind: 'Node' });
const serviceSchema = schemaOf({ group: '', version: 'v1', kind: 'Service' });
const configMapSchema = schemaOf({ group: '', version: 'v1', kind: 'ConfigMap' });
const revisionSchema = schemaOf({ group: 'apps', version: 'v1', kind: 'ControllerRevision' });

type Json = unknown;

function deployment(containers: Json[], extra: Record<string, Json> = {}): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...extra } },
    },
  };
}

const nginx = {
  name: 'nginx',
  image: 'nginx:1.25',
  ports: [{ containerPort: 80, protocol: 'TCP' }],
  resources: { limits: { cpu: '500m' } },
  env: [
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
  ],
};
const sidecar = { name: 'sidecar', image: 'busybox' };

function containersOf(obj: Json): Json[] {
  return (obj as { spec: { template: { spec: { containers: Json[] } } } }).spec.template.spec.containers;
}

function names(list: Json[]): Json[] {
  return list.map((c) => (c as { name: Json }).name);
}

interface Case {
  name: string;
  schema: SchemaNode | undefined;
  original: Json;
  patch: Json;
  expected: Json;
}

const cases: Case[] = [
  {
    name: 'kubectl apply image change keeps ports, resources and env ($setElementOrder)',
    schema: deploymentSchema,
    original: deployment([nginx]),
    patch: {
      spec: {
        template: {
          spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.27', name: 'nginx' }] },
        },
      },
    },
    expected: deployment([{ ...nginx, image: 'nginx:1.27' }]),
  },
  {
    name: 'merging metadata.labels adds and removes keys',
    schema: deploymentSchema,
    original: { metadata: { name: 'web', labels: { app: 'web', tier: 'front' } } },
    patch: { metadata: { labels: { env: 'prod', tier: null } } },
    expected: { metadata: { name: 'web', labels: { app: 'web', env: 'prod' } } },
  },
  {
    name: 'finalizers union (new values first, per upstream ordering)',
    schema: deploymentSchema,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    expected: { metadata: { finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: 'finalizers: a value only in the patch goes before live-only values',
    schema: deploymentSchema,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['c'] } },
    expected: { metadata: { finalizers: ['c', 'a', 'b'] } },
  },
  {
    name: '$deleteFromPrimitiveList/finalizers removes values',
    schema: deploymentSchema,
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } },
    expected: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: 'kubectl apply replacing a finalizer ($setElementOrder + $deleteFromPrimitiveList)',
    schema: deploymentSchema,
    original: { metadata: { finalizers: ['a', 'keep', 'server'] } },
    patch: {
      metadata: {
        '$setElementOrder/finalizers': ['keep', 'b'],
        '$deleteFromPrimitiveList/finalizers': ['a'],
        finalizers: ['b'],
      },
    },
    expected: { metadata: { finalizers: ['keep', 'b', 'server'] } },
  },
  {
    name: 'null removes a scalar field (uncordon)',
    schema: nodeSchema,
    original: { metadata: { name: 'n1' }, spec: { unschedulable: true, podCIDR: '10.0.0.0/24' } },
    patch: { spec: { unschedulable: null } },
    expected: { metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } },
  },
  {
    name: 'cordon sets a scalar field',
    schema: nodeSchema,
    original: { metadata: { name: 'n1' }, spec: {} },
    patch: { spec: { unschedulable: true } },
    expected: { metadata: { name: 'n1' }, spec: { unschedulable: true } },
  },
  {
    name: 'null for an absent key is ignored',
    schema: nodeSchema,
    original: { spec: {} },
    patch: { spec: { unschedulable: null } },
    expected: { spec: {} },
  },
  {
    name: 'env merges by name',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] } },
    patch: { spec: { containers: [{ name: 'c', env: [{ name: 'B', value: 'two' }] }] } },
    expected: { spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }] }] } },
  },
  {
    name: 'env: a new var without $setElementOrder goes first (upstream ordering)',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] } },
    patch: { spec: { containers: [{ name: 'c', env: [{ name: 'Z', value: '26' }] }] } },
    expected: { spec: { containers: [{ name: 'c', env: [{ name: 'Z', value: '26' }, { name: 'A', value: '1' }] }] } },
  },
  {
    name: 'env: $setElementOrder puts a new var last and keeps a server-only var in place',
    schema: podSchema,
    original: {
      spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'S', value: 's' }, { name: 'B', value: '2' }] }] },
    },
    patch: {
      spec: {
        containers: [
          { name: 'c', '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'Z' }], env: [{ name: 'Z', value: '26' }] },
        ],
      },
    },
    expected: {
      spec: {
        containers: [
          { name: 'c', env: [{ name: 'A', value: '1' }, { name: 'S', value: 's' }, { name: 'B', value: '2' }, { name: 'Z', value: '26' }] },
        ],
      },
    },
  },
  {
    name: '$setElementOrder alone reorders the live list',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } },
    expected: { spec: { containers: [{ name: 'b' }, { name: 'a' }] } },
  },
  {
    name: 'container ports merge by containerPort',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] } },
    patch: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } },
    expected: {
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http', hostPort: 8080 }, { containerPort: 443 }] }] },
    },
  },
  {
    name: 'Service ports merge by port (the patch merge key), not port+protocol',
    schema: serviceSchema,
    original: {
      spec: {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
        ],
      },
    },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    expected: {
      spec: {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 9090 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
        ],
      },
    },
  },
  {
    name: 'ownerReferences merge by uid',
    schema: configMapSchema,
    original: { metadata: { ownerReferences: [{ uid: 'u1', name: 'a', kind: 'X', apiVersion: 'v1' }] } },
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: true }] } },
    expected: { metadata: { ownerReferences: [{ uid: 'u1', name: 'a', kind: 'X', apiVersion: 'v1', controller: true }] } },
  },
  {
    name: 'status conditions merge by type',
    schema: podSchema,
    original: { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } },
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    expected: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] } },
  },
  {
    name: 'lists without a patch strategy are replaced (tolerations, args)',
    schema: podSchema,
    original: {
      spec: {
        tolerations: [{ key: 'a', operator: 'Exists' }],
        containers: [{ name: 'c', args: ['--a', '--b'] }],
      },
    },
    patch: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', args: ['--c'] }] } },
    expected: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', args: ['--c'] }] } },
  },
  {
    name: '$patch: delete removes a container by name',
    schema: deploymentSchema,
    original: deployment([nginx, sidecar]),
    patch: { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
    expected: deployment([nginx]),
  },
  {
    name: 'kubectl apply removing a container ($setElementOrder + $patch: delete)',
    schema: deploymentSchema,
    original: deployment([nginx, sidecar]),
    patch: {
      spec: {
        template: {
          spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ $patch: 'delete', name: 'sidecar' }] },
        },
      },
    },
    expected: deployment([nginx]),
  },
  {
    name: '$patch: replace as a list element replaces the whole list',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } },
    patch: { spec: { containers: [{ name: 'c', image: 'y' }, { $patch: 'replace' }] } },
    expected: { spec: { containers: [{ name: 'c', image: 'y' }] } },
  },
  {
    name: '$patch: replace on a map replaces the map',
    schema: podSchema,
    original: { metadata: { labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
    expected: { metadata: { labels: { c: '3' } } },
  },
  {
    name: '$patch: delete on a map empties it (upstream returns an empty map)',
    schema: podSchema,
    original: { metadata: { labels: { a: '1' } } },
    patch: { metadata: { labels: { $patch: 'delete' } } },
    expected: { metadata: { labels: {} } },
  },
  {
    name: '$patch: merge is a plain merge',
    schema: podSchema,
    original: { metadata: { labels: { a: '1' } } },
    patch: { metadata: { labels: { $patch: 'merge', b: '2' } } },
    expected: { metadata: { labels: { a: '1', b: '2' } } },
  },
  {
    name: '$retainKeys on spec.strategy: RollingUpdate → Recreate drops rollingUpdate',
    schema: deploymentSchema,
    original: deployment([nginx]),
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
    expected: (() => {
      const d = deployment([nginx]) as { spec: { strategy: unknown } };
      d.spec.strategy = { type: 'Recreate' };
      return d;
    })(),
  },
  {
    name: '$retainKeys on spec.strategy without an explicit null',
    schema: deploymentSchema,
    original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expected: { spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: 'volumes $retainKeys: emptyDir → configMap',
    schema: podSchema,
    original: { spec: { volumes: [{ name: 'data', emptyDir: {} }, { name: 'other', emptyDir: { medium: 'Memory' } }] } },
    patch: {
      spec: {
        '$setElementOrder/volumes': [{ name: 'data' }, { name: 'other' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], name: 'data', configMap: { name: 'cm' } }],
      },
    },
    expected: {
      spec: { volumes: [{ name: 'data', configMap: { name: 'cm' } }, { name: 'other', emptyDir: { medium: 'Memory' } }] },
    },
  },
  {
    name: 'a new field with nested nulls and directives is taken clean',
    schema: deploymentSchema,
    original: { spec: { replicas: 1 } },
    patch: {
      spec: {
        strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'a' }],
            containers: [{ name: 'a', image: 'x', env: [{ name: 'gone', $patch: 'delete' }, { name: 'E', value: 'v' }] }],
          },
        },
      },
    },
    expected: {
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        template: { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: 'v' }] }] } },
      },
    },
  },
  {
    name: 'a new map carrying $patch: delete is not added',
    schema: podSchema,
    original: { metadata: { name: 'p' } },
    patch: { metadata: { labels: { $patch: 'delete' } } },
    expected: { metadata: { name: 'p' } },
  },
  {
    name: 'new containers are merged clean into an absent list',
    schema: podSchema,
    original: { spec: {} },
    patch: { spec: { containers: [{ name: 'a', image: 'x', command: null }] } },
    expected: { spec: { containers: [{ name: 'a', image: 'x' }] } },
  },
  {
    name: 'a patch value of another type replaces the live value',
    schema: deploymentSchema,
    original: { spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } } } },
    patch: { spec: { template: { spec: { containers: [{ name: 'c', ports: 'oops' }] } } } },
    expected: { spec: { template: { spec: { containers: [{ name: 'c', ports: 'oops' }] } } } },
  },
  {
    name: 'PodDisruptionBudget selector has strategy replace',
    schema: schemaOf({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' }),
    original: { spec: { selector: { matchLabels: { a: '1' } } } },
    patch: { spec: { selector: { matchLabels: { b: '2' } } } },
    expected: { spec: { selector: { matchLabels: { b: '2' } } } },
  },
  {
    name: 'free-form RawExtension merges as a JSON merge patch ($-keys are data there)',
    schema: revisionSchema,
    original: { data: { spec: { list: [1, 2], keep: true, drop: 1 } }, revision: 1 },
    patch: { data: { spec: { list: [3], drop: null, $patch: 'replace' } }, revision: 2 },
    expected: { data: { spec: { list: [3], keep: true, $patch: 'replace' } }, revision: 2 },
  },
  {
    name: 'without a schema the whole document merges as a JSON merge patch',
    schema: undefined,
    original: { spec: { items: [{ name: 'a', v: 1 }], x: 1 } },
    patch: { spec: { items: [{ name: 'a', w: 2 }], x: null } },
    expected: { spec: { items: [{ name: 'a', w: 2 }] } },
  },
  {
    name: 'top-level $patch: replace replaces the object',
    schema: configMapSchema,
    original: { metadata: { name: 'c' }, data: { a: '1' } },
    patch: { $patch: 'replace', metadata: { name: 'c' }, data: { b: '2' } },
    expected: { metadata: { name: 'c' }, data: { b: '2' } },
  },
  {
    name: 'kubectl rollout restart annotation',
    schema: deploymentSchema,
    original: deployment([nginx]),
    patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' } } } } },
    expected: (() => {
      const d = deployment([nginx]) as { spec: { template: { metadata: Record<string, unknown> } } };
      d.spec.template.metadata['annotations'] = { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' };
      return d;
    })(),
  },
  {
    name: 'a null patch leaves the object unchanged',
    schema: podSchema,
    original: { metadata: { name: 'p' } },
    patch: null,
    expected: { metadata: { name: 'p' } },
  },
];

describe('strategicMergePatch', () => {
  it.each(cases)('$name', ({ original, patch, schema, expected }) => {
    const before = JSON.stringify({ original, patch });
    const result = strategicMergePatch(original, patch, schema);
    expect(result).toEqual(expected);
    // neither input is modified
    expect(JSON.stringify({ original, patch })).toBe(before);
  });

  it.each([
    {
      order: ['nginx', 'sidecar', 'new'],
      expected: ['nginx', 'injected', 'sidecar', 'new'],
    },
    {
      // upstream's interleave is best effort: `injected` (live index 1) precedes `sidecar` (2)
      order: ['sidecar', 'nginx', 'new'],
      expected: ['injected', 'sidecar', 'nginx', 'new'],
    },
  ])('setElementOrder $order keeps an injected container at its live position', ({ order, expected }) => {
    const live = deployment([nginx, { name: 'injected', image: 'proxy' }, sidecar]);
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': order.map((name) => ({ name })),
            containers: [{ name: 'new', image: 'n' }],
          },
        },
      },
    };
    expect(names(containersOf(strategicMergePatch(live, patch, deploymentSchema)))).toEqual(expected);
  });

  it('adds a container before live-only ones without $setElementOrder (as upstream, e.g. kubectl patch docs)', () => {
    const live = deployment([nginx]);
    const patch = { spec: { template: { spec: { containers: [{ name: 'redis', image: 'redis' }] } } } };
    expect(names(containersOf(strategicMergePatch(live, patch, deploymentSchema)))).toEqual(['redis', 'nginx']);
  });

  it('never leaks a directive into the result', () => {
    const live = deployment([nginx, sidecar], { volumes: [{ name: 'v', emptyDir: {} }] });
    const patch = {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'], finalizers: ['y'] },
      spec: {
        strategy: { $retainKeys: ['type'], type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'new' }],
            containers: [
              { name: 'nginx', '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'B', $patch: 'delete' }] },
              { name: 'new', image: 'n', '$setElementOrder/ports': [{ containerPort: 1 }], ports: [{ containerPort: 1 }] },
              { name: 'sidecar', $patch: 'delete' },
            ],
            volumes: [{ name: 'v', $retainKeys: ['name', 'secret'], secret: { secretName: 's' } }],
          },
        },
      },
    };
    const text = JSON.stringify(strategicMergePatch(live, patch, deploymentSchema));
    expect(text).not.toMatch(/\$patch|\$retainKeys|\$setElementOrder|\$deleteFromPrimitiveList/);
  });
});

interface ErrorCase {
  name: string;
  schema?: SchemaNode;
  original?: Json;
  patch: Json;
  kind: PatchError['kind'];
  message: string | RegExp;
}

const errorCases: ErrorCase[] = [
  {
    name: 'unknown $patch directive on a map',
    patch: { metadata: { labels: { $patch: 'explode', a: '1' } } },
    original: { metadata: { labels: {} } },
    kind: 'badRequest',
    message: 'unknown patch type: explode in map: map[$patch:explode a:1]',
  },
  {
    name: 'unknown $patch directive on a list element',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { containers: [{ name: 'a', $patch: 'bogus' }] } },
    kind: 'badRequest',
    message: 'unknown patch type: bogus in map: map[$patch:bogus name:a]',
  },
  {
    name: 'unknown $patch directive in a value new to the object',
    original: {},
    patch: { metadata: { labels: { $patch: 7 } } },
    kind: 'badRequest',
    message: 'unknown patch type: 7 in map: map[$patch:7]',
  },
  {
    name: '$patch: delete without the merge key',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { containers: [{ $patch: 'delete', image: 'x' }] } },
    kind: 'badRequest',
    message: 'map: map[$patch:delete image:x] does not contain declared merge key: name',
  },
  {
    name: 'a merge-list element without the merge key',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { containers: [{ image: 'x' }] } },
    kind: 'badRequest',
    message: 'map: map[image:x] does not contain declared merge key: name',
  },
  {
    name: '$retainKeys that is not a list',
    original: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: 'name' }] } },
    kind: 'badRequest',
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$retainKeys not naming a key the patch sets',
    original: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], secret: { secretName: 's' } }] } },
    kind: 'badRequest',
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$setElementOrder that is not a list',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { '$setElementOrder/containers': { name: 'a' } } },
    kind: 'badRequest',
    message: 'invalid patch format of setElementOrder list',
  },
  {
    name: '$setElementOrder without a field name',
    original: { spec: {} },
    patch: { spec: { $setElementOrderContainers: [] } },
    kind: 'badRequest',
    message: 'invalid patch format of setElementOrder list',
  },
  {
    name: '$setElementOrder not covering the patch list',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', image: 'x' }] } },
    kind: 'badRequest',
    message: "the order in patch list:\n[map[image:x name:b]]\n doesn't match $setElementOrder list:\n[map[name:a]]",
  },
  {
    name: '$deleteFromPrimitiveList that is not a list',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
    kind: 'badRequest',
    message: 'invalid patch format of primitive list',
  },
  {
    name: '$deleteFromPrimitiveList without a field name',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } },
    kind: 'badRequest',
    message: 'invalid patch format of primitive list',
  },
  {
    name: '$deleteFromPrimitiveList on a list without the merge strategy',
    original: { spec: { containers: [{ name: 'a', args: ['x'] }] } },
    patch: { spec: { containers: [{ name: 'a', '$deleteFromPrimitiveList/args': ['x'] }] } },
    kind: 'badRequest',
    message: 'invalid patch format of primitive list',
  },
  {
    name: 'lists of lists',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { finalizers: [['b']] } },
    kind: 'invalid',
    message: 'lists of lists are not supported',
  },
  {
    name: 'mixed element types in a merge list',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { finalizers: [1] } },
    kind: 'badRequest',
    message: /^list element types are not identical/,
  },
  {
    name: 'a patch body that is not an object',
    original: {},
    patch: ['x'],
    kind: 'badRequest',
    message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
  },
];

describe('strategicMergePatch errors', () => {
  it.each(errorCases)('$name', ({ schema, original, patch, kind, message }) => {
    let caught: unknown;
    try {
      strategicMergePatch(original ?? {}, patch, schema ?? podSchema);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PatchError);
    const err = caught as PatchError;
    expect(err.kind).toBe(kind);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });
});
