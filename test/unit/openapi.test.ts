import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES, apiVersionOf } from '../../src/api/resources.js';
import {
  handleOpenAPI, openapiV2, openapiV2Document, openapiV3Document, openapiV3GroupVersion, openapiV3Root,
} from '../../src/apiserver/openapi/index.js';
import { startOpenAPIFakeServer, type FakeServer } from '../helpers/openapi-fake-server.js';

type Json = any;

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);
const groupVersions = [...new Set(RESOURCES.map((r) => gvPath(r.group, r.version)))];

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

function refSiblings(node: unknown, out: string[] = [], where = ''): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => refSiblings(n, out, `${where}[${i}]`));
  else if (node && typeof node === 'object') {
    if ('$ref' in node && Object.keys(node).length > 1) out.push(where);
    for (const [k, v] of Object.entries(node)) refSiblings(v, out, `${where}.${k}`);
  }
  return out;
}

describe('OpenAPI v3 root', () => {
  it('lists every served group version, the discovery documents and a stable upper-case hash', () => {
    const root = openapiV3Root() as Json;
    for (const key of [...groupVersions, 'api', 'apis', 'apis/apps']) {
      expect(root.paths[key], key).toBeDefined();
      const url: string = root.paths[key].serverRelativeURL;
      expect(url).toMatch(new RegExp(`^/openapi/v3/${key.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
      expect(url.endsWith(`hash=${openapiV3Document(key)!.hash}`)).toBe(true);
    }
    expect(root.paths['apis/apiextensions.k8s.io/v1']).toBeUndefined();
    expect(JSON.stringify(openapiV3Root())).toBe(JSON.stringify(root));
  });

  it('answers unknown group versions with undefined', () => {
    expect(openapiV3GroupVersion('apis/example.com/v1')).toBeUndefined();
    expect(openapiV3GroupVersion('apis/apps/v1beta1')).toBeUndefined();
  });
});

describe('OpenAPI v3 group-version documents', () => {
  it.each(groupVersions)('%s: every $ref resolves and no $ref has siblings', (key) => {
    const doc = openapiV3GroupVersion(key) as Json;
    expect(doc.openapi).toBe('3.0.0');
    for (const ref of collectRefs(doc)) {
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    expect(refSiblings(doc)).toEqual([]);
  });

  it.each(RESOURCES.map((r) => [`${apiVersionOf(r)} ${r.plural}`, r] as const))('%s: paths, PATCH with fieldValidation, GVK schema', (_, r) => {
    const doc = openapiV3GroupVersion(gvPath(r.group, r.version)) as Json;
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const gvk = { group: r.group, kind: r.kind, version: r.version };
    if (r.verbs.includes('patch')) {
      const patch = doc.paths[`${base}/{name}`].patch;
      expect(patch['x-kubernetes-action']).toBe('patch');
      expect(patch['x-kubernetes-group-version-kind']).toEqual(gvk);
      const names = patch.parameters.map((p: Json) => p.name);
      expect(names).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager', 'force']));
      expect(Object.keys(patch.requestBody.content)).toContain('application/strategic-merge-patch+json');
    }
    if (r.verbs.includes('list')) {
      const list = doc.paths[base].get;
      expect(list['x-kubernetes-action']).toBe('list');
      expect(list.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(
        ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'watch']));
      if (r.namespaced) expect(doc.paths[`${prefix}/${r.plural}`].get.operationId).toMatch(/ForAllNamespaces$/);
    }
    if (r.verbs.includes('create')) {
      const post = doc.paths[base].post;
      expect(post.requestBody.content['*/*'].schema.$ref).toMatch(new RegExp(`\\.${r.kind}$`));
      expect(post.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    }
    const schemas = Object.values(doc.components.schemas) as Json[];
    const kinds = schemas.filter((s) => (s['x-kubernetes-group-version-kind'] ?? []).some((g: Json) =>
      g.group === r.group && g.version === r.version && g.kind === r.kind));
    expect(kinds).toHaveLength(1);
    expect(kinds[0].properties).toBeDefined();
  });

  it('serves subresources with their own kinds', () => {
    const apps = openapiV3GroupVersion('apis/apps/v1') as Json;
    const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(scale.get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/io.k8s.api.autoscaling.v1.Scale');
    expect(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']['x-kubernetes-group-version-kind'])
      .toEqual([{ group: 'autoscaling', kind: 'Scale', version: 'v1' }]);
    const status = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'];
    expect(Object.keys(status).sort()).toEqual(['get', 'parameters', 'patch', 'put']);
    const core = openapiV3GroupVersion('api/v1') as Json;
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post.requestBody.content['*/*'].schema.$ref)
      .toBe('#/components/schemas/io.k8s.api.policy.v1.Eviction');
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get.parameters.map((p: Json) => p.name))
      .toEqual(expect.arrayContaining(['container', 'follow', 'tailLines']));
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'].post['x-kubernetes-action']).toBe('connect');
  });

  it('keeps list, map and patch facts and wraps described references in allOf', () => {
    const core = openapiV3GroupVersion('api/v1') as Json;
    const containers = core.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    expect(containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(containers['x-kubernetes-patch-strategy']).toBe('merge');
    expect(containers['x-kubernetes-list-type']).toBe('map');
    expect(containers['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(containers.items).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    const meta = core.components.schemas['io.k8s.api.core.v1.Pod'].properties.metadata;
    expect(meta.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    expect(typeof meta.description).toBe('string');
    expect(core.components.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf)
      .toEqual([{ type: 'integer' }, { type: 'string' }]);
    const del = core.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind'];
    expect(del).toEqual(expect.arrayContaining([{ group: 'apps', kind: 'DeleteOptions', version: 'v1' }]));
  });
});

describe('OpenAPI v2', () => {
  it('is a Swagger 2.0 document of everything served whose references resolve', () => {
    const doc = openapiV2() as Json;
    expect(doc.swagger).toBe('2.0');
    for (const ref of collectRefs(doc)) {
      expect(ref.startsWith('#/definitions/'), ref).toBe(true);
      expect(doc.definitions[ref.slice('#/definitions/'.length)], ref).toBeDefined();
    }
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch.consumes).toContain('application/strategic-merge-patch+json');
    expect(patch.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['body', 'fieldValidation']));
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods']).toBeDefined();
    expect(doc.paths['/api/v1/componentstatuses']).toBeUndefined();
    expect(doc.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'])
      .toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  });
});

describe('handleOpenAPI', () => {
  const get = (path: string, extra: { accept?: string; ifNoneMatch?: string; query?: string } = {}) =>
    handleOpenAPI({ method: 'GET', path, query: new URLSearchParams(extra.query ?? ''), accept: extra.accept, ifNoneMatch: extra.ifNoneMatch });

  it('serves the root and documents as JSON with ETags and 304s', () => {
    const root = get('/openapi/v3')!;
    expect(root.status).toBe(200);
    expect(JSON.parse(root.body).paths['api/v1']).toBeDefined();
    const doc = openapiV3Document('apis/apps/v1')!;
    const r = get('/openapi/v3/apis/apps/v1', { query: `hash=${doc.hash}`, accept: 'application/json' })!;
    expect(r.status).toBe(200);
    expect(r.headers.ETag).toBe(doc.etag);
    expect(r.headers['Cache-Control']).toBe('public, immutable');
    expect(JSON.parse(r.body).paths['/apis/apps/v1/namespaces/{namespace}/deployments']).toBeDefined();
    expect(get('/openapi/v3/apis/apps/v1', { ifNoneMatch: doc.etag })!.status).toBe(304);
  });

  it('redirects a stale hash, 404s unknown documents and ignores other paths', () => {
    const r = get('/openapi/v3/api/v1', { query: 'hash=ABC' })!;
    expect(r.status).toBe(301);
    expect(r.headers.Location).toBe(`/openapi/v3/api/v1?hash=${openapiV3Document('api/v1')!.hash}`);
    expect(get('/openapi/v3/apis/example.com/v1')!.status).toBe(404);
    expect(get('/api/v1')).toBeUndefined();
    expect(handleOpenAPI({ method: 'POST', path: '/openapi/v2' })!.status).toBe(405);
  });

  it('serves v2 as JSON, and as gnostic protobuf to clients that ask only for protobuf', () => {
    const json = get('/openapi/v2', { accept: 'application/json' })!;
    expect(json.status).toBe(200);
    expect(json.body).toBe(openapiV2Document().body);
    const pb = get('/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' })!;
    expect(pb.status).toBe(200);
    expect(pb.headers['Content-Type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(pb.bytes?.length).toBeGreaterThan(1000);
  });
});

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const run = promisify(execFile);

describe('the real kubectl against the documents', () => {
  let server: FakeServer;
  let dir: string;
  const kubectl = async (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
    run(KUBECTL, [`--server=${server.url}`, `--cache-dir=${join(dir, 'cache')}`, ...args], {
      env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') },
    });

  beforeAll(async () => {
    server = await startOpenAPIFakeServer();
    dir = mkdtempSync(join(tmpdir(), 'k8ts-openapi-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('explain finds kinds and nested fields through v3', async () => {
    const strategy = await kubectl('explain', 'deployment.spec.strategy');
    expect(strategy.stdout).toMatch(/KIND:\s+Deployment/);
    expect(strategy.stdout).toMatch(/rollingUpdate\s+<RollingUpdateDeployment>/);
    const ports = await kubectl('explain', 'pods.spec.containers.ports');
    expect(ports.stdout).toMatch(/containerPort\s+<integer> -required-/);
    const rolling = await kubectl('explain', 'deployment.spec.strategy.rollingUpdate');
    expect(rolling.stdout).toMatch(/maxSurge\s+<IntOrString>/);
    const pods = await kubectl('explain', 'pods');
    expect(pods.stdout).toMatch(/spec\s+<PodSpec>/);
    const labels = await kubectl('explain', 'pods.metadata.labels');
    expect(labels.stdout).toMatch(/labels\s+<map\[string\]string>/);
    expect(server.requests.some((r) => r.url.startsWith('/openapi/v3/api/v1?hash='))).toBe(true);
  });

  it('apply validates on the server and computes strategic merge patches from v3', async () => {
    const manifest = (image: string, replicas: number): string => JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
      },
    });
    const file = join(dir, 'web.json');
    writeFileSync(file, manifest('nginx:1.25', 1));
    expect((await kubectl('apply', '-f', file)).stdout).toContain('deployment.apps/web created');
    const post = server.requests.find((r) => r.method === 'POST')!;
    expect(post.url).toContain('fieldValidation=Strict');
    expect((await kubectl('apply', '-f', file)).stdout).toContain('deployment.apps/web unchanged');
    writeFileSync(file, manifest('nginx:1.27', 3));
    const changed = await kubectl('apply', '-f', file);
    expect(changed.stdout).toContain('deployment.apps/web configured');
    expect(changed.stderr).not.toMatch(/warning/i);
    const patch = server.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.url).toContain('fieldValidation=Strict');
    expect(patch.headers['content-type']).toBe('application/strategic-merge-patch+json');
    const body = JSON.parse(patch.body);
    expect(body.spec.replicas).toBe(3);
    expect(body.spec.template.spec['$setElementOrder/containers']).toEqual([{ name: 'nginx' }]);
    expect(body.spec.template.spec.containers).toEqual([{ image: 'nginx:1.27', name: 'nginx' }]);
  });
});
