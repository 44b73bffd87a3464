/**
 * Bad input over raw HTTPS and through the real kubectl: every rejected request answers with a
 * Status in Kubernetes' own form (status code, reason, message, causes where upstream has them)
 * and leaves the store exactly as it was.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { rawClient, type RawClient, type RawResponse } from '../helpers/raw-https.js';

let t: TestServer;
let c: RawClient;
const CMS = '/api/v1/namespaces/default/configmaps';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const JSON_CT = { 'Content-Type': 'application/json' };

const cm = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' }, ...extra,
});
const deployment = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    ...spec,
  },
});

/** What the store holds: its revision and every ConfigMap, Deployment and Pod with its resourceVersion. */
async function snapshot(): Promise<string> {
  const lines = [`revision ${await t.server.store.currentRevision()}`];
  for (const path of ['/api/v1/configmaps', '/apis/apps/v1/deployments', '/api/v1/pods']) {
    const r = await c.get(path);
    expect(r.status).toBe(200);
    for (const o of r.body.items) lines.push(`${path} ${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`);
  }
  return lines.join('\n');
}

/** Runs a request that must fail and asserts the store did not change. */
async function rejected(send: () => Promise<RawResponse>): Promise<RawResponse> {
  const before = await snapshot();
  const r = await send();
  expect(r.status, r.text).toBeGreaterThanOrEqual(400);
  expect(await snapshot()).toBe(before);
  return r;
}

function expectStatus(r: RawResponse, code: number, reason: string, message: string | RegExp): void {
  expect(r.status, r.text).toBe(code);
  expect(r.headers['content-type']).toBe('application/json');
  expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  if (typeof message === 'string') expect(r.body.message).toBe(message);
  else expect(r.body.message).toMatch(message);
}

beforeAll(async () => {
  t = await startTestServer({ watchCacheSize: 4, apiOnly: true });
  c = rawClient(t.url, t.dataDir);
  const r = await c.post(CMS, cm('existing'));
  expect(r.status).toBe(201);
});
afterAll(async () => {
  c?.close();
  await t?.stop();
});

describe('bodies that do not decode', () => {
  const big = JSON.stringify(cm('big', { data: { x: 'a'.repeat(3 * 1024 * 1024) } }));

  it.each([
    {
      what: 'malformed JSON (truncated)', ct: 'application/json', body: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"',
      message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input ({"apiVersion": "v1", "kind": " ...)`,
    },
    {
      what: 'malformed JSON (bad character)', ct: 'application/json', body: '{"apiVersion": "v1", "kind": }',
      message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character '}' looking for beginning of value ({"apiVersion": "v1", "kind": })`,
    },
    {
      what: 'malformed JSON (trailing garbage)', ct: 'application/json', body: '{"kind": "ConfigMap"} x',
      message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'x' after top-level value ({"kind": "ConfigMap"} x)`,
    },
    {
      what: 'malformed YAML', ct: 'application/yaml', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n',
      message: new RegExp(String.raw`^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: line \d+: .+ \(${Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n').subarray(0, 30).toString('hex')} ...\)$`),
    },
  ])('$what → 400 BadRequest', async ({ ct, body, message }) => {
    const r = await rejected(() => c.request(CMS, { method: 'POST', headers: { 'Content-Type': ct }, body }));
    expectStatus(r, 400, 'BadRequest', message);
  });

  it('a body over 3 MiB with Content-Length → 413 RequestEntityTooLarge', async () => {
    expect(Buffer.byteLength(big)).toBeGreaterThan(3 * 1024 * 1024);
    const r = await rejected(() => c.post(CMS, big));
    expectStatus(r, 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  });

  it('a chunked body over 3 MiB (no Content-Length) → 413, and the connection keeps working', async () => {
    const parts = [big.slice(0, 1_000_000), big.slice(1_000_000, 2_500_000), big.slice(2_500_000)];
    const r = await rejected(() => c.request(CMS, { method: 'POST', headers: JSON_CT, body: parts }));
    expectStatus(r, 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    // The same keep-alive agent still gets answers.
    expect((await c.get(`${CMS}/existing`)).status).toBe(200);
  });

  it('a body of exactly 3 MiB is accepted', async () => {
    const obj = cm('exactly-3mib', { data: { x: '' } });
    const pad = 3 * 1024 * 1024 - Buffer.byteLength(JSON.stringify(obj));
    (obj.data as Record<string, string>).x = 'a'.repeat(pad);
    const body = JSON.stringify(obj);
    expect(Buffer.byteLength(body)).toBe(3 * 1024 * 1024);
    // Over the 1 MiB object size a store may hold, but the request limit itself must not trip.
    const r = await c.post(CMS, body);
    expect(r.body?.reason).not.toBe('RequestEntityTooLarge');
    if (r.status === 201) expect((await c.request(`${CMS}/exactly-3mib`, { method: 'DELETE' })).status).toBe(200);
  });

  it('an unknown Content-Type → 415 UnsupportedMediaType', async () => {
    const r = await rejected(() => c.request(CMS, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(cm('x')) }));
    expectStatus(r, 415, 'UnsupportedMediaType', /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml, application\/vnd\.kubernetes\.protobuf/);
  });

  it('a PATCH with a Content-Type that is not a patch type → 415', async () => {
    const r = await rejected(() => c.request(`${CMS}/existing`, { method: 'PATCH', headers: JSON_CT, body: '{"data":{"k":"w"}}' }));
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
  });
});

describe('objects that do not validate', () => {
  it.each([
    { name: 'Bad_Name', detail: 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters' },
    { name: '-leading-dash', detail: 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters' },
    { name: 'a'.repeat(254), detail: 'must be no more than 253 characters' },
  ])('invalid name $name → 422 Invalid with a metadata.name cause', async ({ name, detail }) => {
    const r = await rejected(() => c.post(CMS, cm(name)));
    expectStatus(r, 422, 'Invalid', new RegExp(`^ConfigMap "${name}" is invalid: metadata\\.name: Invalid value: "${name}": .*${detail}`));
    expect(r.body.details).toMatchObject({ name, kind: 'ConfigMap' });
    expect(r.body.details.causes).toEqual([
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'metadata.name', message: expect.stringContaining(detail) }),
    ]);
  });

  it('a missing name → 422 with a FieldValueRequired cause', async () => {
    const r = await rejected(() => c.post(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }));
    expectStatus(r, 422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
    expect(r.body.details.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
    ]);
  });

  it('a Pod without containers → 422 spec.containers: Required value', async () => {
    const r = await rejected(() => c.post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }));
    expectStatus(r, 422, 'Invalid', /^Pod "p" is invalid: .*spec\.containers: Required value/);
    expect(r.body.details.causes).toContainEqual(expect.objectContaining({ reason: 'FieldValueRequired', field: 'spec.containers' }));
  });

  it('a Deployment whose selector does not match its template → 422 with the field path', async () => {
    const d = deployment('mismatch');
    (d.spec as any).template.metadata.labels = { app: 'other' };
    const r = await rejected(() => c.post(DEPLOYS, d));
    expectStatus(r, 422, 'Invalid', /^Deployment\.apps "mismatch" is invalid: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
    expect(r.body.details).toMatchObject({ name: 'mismatch', group: 'apps', kind: 'Deployment' });
  });
});

describe('field validation', () => {
  it('?fieldValidation=Strict rejects an unknown field with the strict decoding error', async () => {
    const d = deployment('strict');
    (d.spec as any).foo = 1;
    const r = await rejected(() => c.post(`${DEPLOYS}?fieldValidation=Strict`, d));
    expectStatus(r, 400, 'BadRequest', 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"');
  });

  it('?fieldValidation=Strict rejects a duplicate field', async () => {
    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1","a":"2"}}';
    const r = await rejected(() => c.post(`${CMS}?fieldValidation=Strict`, body));
    expectStatus(r, 400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.a"');
  });

  it('?fieldValidation=Warn creates the object, drops the field and says so in a Warning header', async () => {
    const r = await c.post(`${CMS}?fieldValidation=Warn`, cm('warned', { foo: 'bar' }));
    expect(r.status, r.text).toBe(201);
    expect(r.headers.warning).toBe('299 - "unknown field \\"foo\\""');
    expect(r.body.foo).toBeUndefined();
    const got = await c.get(`${CMS}/warned`);
    expect(got.body.foo).toBeUndefined();
    expect(got.body.data).toEqual({ k: 'v' });
  });

  it('an unknown fieldValidation value → 400', async () => {
    const r = await rejected(() => c.post(`${CMS}?fieldValidation=Loud`, cm('loud')));
    expectStatus(r, 400, 'BadRequest', /fieldValidation/);
  });
});

describe('writes that conflict with what is stored', () => {
  it('a PUT with a stale resourceVersion → 409 Conflict and the object keeps its data', async () => {
    const created = await c.post(CMS, cm('stale'));
    expect(created.status).toBe(201);
    const rv1 = created.body.metadata.resourceVersion;
    const put = (data: Record<string, string>, rv: string): Promise<RawResponse> =>
      c.request(`${CMS}/stale`, { method: 'PUT', headers: JSON_CT, body: JSON.stringify({ ...created.body, data, metadata: { ...created.body.metadata, resourceVersion: rv } }) });
    const first = await put({ k: 'first' }, rv1);
    expect(first.status, first.text).toBe(200);
    const r = await rejected(() => put({ k: 'second' }, rv1));
    expectStatus(r, 409, 'Conflict', 'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again');
    expect(r.body.details).toEqual({ name: 'stale', kind: 'configmaps' });
    const now = await c.get(`${CMS}/stale`);
    expect(now.body.data).toEqual({ k: 'first' });
    expect(now.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
  });

  it('a create of an existing name → 409 AlreadyExists', async () => {
    const r = await rejected(() => c.post(CMS, cm('existing')));
    expectStatus(r, 409, 'AlreadyExists', 'configmaps "existing" already exists');
    expect(r.body.details).toEqual({ name: 'existing', kind: 'configmaps' });
  });

  it('a DELETE with a stale resourceVersion precondition → 409 and the object stays', async () => {
    const r = await rejected(() => c.request(`${CMS}/existing`, {
      method: 'DELETE', headers: JSON_CT, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: '1' } }),
    }));
    expectStatus(r, 409, 'Conflict', /^Operation cannot be fulfilled on configmaps "existing": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+$/);
  });
});

describe('references and request shape', () => {
  it('create in a namespace that does not exist → 404 namespaces "x" not found', async () => {
    const r = await rejected(() => c.post('/api/v1/namespaces/x/configmaps', cm('orphan')));
    expectStatus(r, 404, 'NotFound', 'namespaces "x" not found');
    expect(r.body.details).toEqual({ name: 'x', kind: 'namespaces' });
  });

  it('GET of a missing object → 404 with name and kind', async () => {
    const r = await rejected(() => c.get(`${CMS}/nope`));
    expectStatus(r, 404, 'NotFound', 'configmaps "nope" not found');
    expect(r.body.details).toEqual({ name: 'nope', kind: 'configmaps' });
  });

  it('a namespace in the body that differs from the URL → 400', async () => {
    const r = await rejected(() => c.post(CMS, cm('elsewhere', { metadata: { name: 'elsewhere', namespace: 'kube-system' } })));
    expectStatus(r, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('a name in the body that differs from the URL on PUT → 400', async () => {
    const r = await rejected(() => c.request(`${CMS}/existing`, { method: 'PUT', headers: JSON_CT, body: JSON.stringify(cm('other')) }));
    expectStatus(r, 400, 'BadRequest', 'the name of the object (other) does not match the name on the URL (existing)');
  });

  it('a kind that is not the resource’s → 400', async () => {
    const r = await rejected(() => c.post(CMS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }));
    expectStatus(r, 400, 'BadRequest', 'Secret in version "v1" cannot be handled as a ConfigMap: the object provided is unrecognized (must be of type ConfigMap)');
  });

  it('an apiVersion that is not the endpoint’s → 400', async () => {
    const r = await rejected(() => c.post(CMS, { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'v' } }));
    expectStatus(r, 400, 'BadRequest', 'the API version in the data (apps/v1) does not match the expected API version (v1)');
  });

  it.each([
    ['an unknown resource', '/api/v1/namespaces/default/widgets'],
    ['an unknown group', '/apis/widgets.example.com/v1/widgets'],
    ['an unknown subresource', `${CMS}/existing/frobnicate`],
    ['a namespaced object without its namespace', '/api/v1/configmaps/existing'],
  ])('%s → 404 the server could not find the requested resource', async (_what, path) => {
    const r = await rejected(() => c.get(path));
    expectStatus(r, 404, 'NotFound', 'the server could not find the requested resource');
  });

  it.each([
    ['POST to a named object', 'POST', `${CMS}/existing`, JSON.stringify(cm('existing'))],
    ['PUT to a collection', 'PUT', CMS, JSON.stringify(cm('existing'))],
    ['PATCH to a collection', 'PATCH', CMS, '{}'],
    ['DELETE on a create-only resource', 'DELETE', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/x', undefined],
    ['GET on a create-only resource', 'GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', undefined],
  ])('%s → 405 MethodNotAllowed', async (_what, method, path, body) => {
    const r = await rejected(() => c.request(path, { method, headers: JSON_CT, body }));
    expectStatus(r, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  });
});

describe('credentials', () => {
  it.each([
    ['no client certificate', {}],
    ['an unknown bearer token', { Authorization: 'Bearer not-a-token' }],
  ])('%s → 401 Unauthorized', async (_what, headers) => {
    const r = await rejected(() => c.request(CMS, { anonymous: true, headers }));
    expectStatus(r, 401, 'Unauthorized', 'Unauthorized');
  });

  it('an anonymous write is refused too, and nothing is stored', async () => {
    const r = await rejected(() => c.request(CMS, { anonymous: true, method: 'POST', headers: JSON_CT, body: JSON.stringify(cm('anon')) }));
    expect(r.status).toBe(401);
  });

  it.each(['/readyz', '/livez', '/healthz'])('%s answers without credentials', async (path) => {
    const r = await c.request(path, { anonymous: true });
    expect(r.status).toBe(200);
    expect(r.text).toBe('ok');
  });

  it('/version answers without credentials', async () => {
    const r = await c.request('/version', { anonymous: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0-k8ts' });
  });
});

describe('list and watch parameters', () => {
  it.each([
    ['a label selector that does not parse', 'labelSelector=' + encodeURIComponent('app in (web'), `unable to parse requirement: found '', expected: ',' or ')'`],
    ['an unsupported field selector', 'fieldSelector=' + encodeURIComponent('spec.foo=bar'), 'field label not supported: spec.foo'],
    ['a garbage continue token', 'limit=1&continue=' + encodeURIComponent('not a token!'), /^invalid continue token: continue key is not valid: illegal base64 data at input byte \d+$/],
    ['a continue token that is not JSON', 'limit=1&continue=garbage', /^invalid continue token: continue key is not valid: /],
    ['a continue token of another version', 'limit=1&continue=' + Buffer.from('{"v":"meta.k8s.io/v0","rv":1,"start":"x"}').toString('base64url'), 'invalid continue token: continue key is not valid: server does not recognize this encoded version'],
    ['a resourceVersion that is not a number', 'resourceVersion=abc', 'invalid resource version: abc'],
  ])('%s → 400', async (_what, query, message) => {
    const r = await rejected(() => c.get(`${CMS}?${query}`));
    expectStatus(r, 400, 'BadRequest', message);
  });

  it('a watch from a resourceVersion older than the watch cache window → ERROR event with 410 Expired', async () => {
    const created = await c.post(CMS, cm('churn'));
    const oldRv = created.body.metadata.resourceVersion;
    let body = created.body;
    for (let i = 0; i < 12; i++) {
      const r = await c.request(`${CMS}/churn`, { method: 'PUT', headers: JSON_CT, body: JSON.stringify({ ...body, data: { i: String(i) } }) });
      expect(r.status).toBe(200);
      body = r.body;
    }
    const w = await c.watch(`${CMS}?watch=true&resourceVersion=${oldRv}`);
    expect(w.status).toBe(200);
    const [event] = await w.waitFor(1);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect(event.object.message).toMatch(new RegExp(`^too old resource version: ${oldRv} \\(\\d+\\)$`));
    // A list from "0" and a fresh watch still work.
    const list = await c.get(`${CMS}?resourceVersion=0`);
    expect(list.body.items.map((o: any) => o.metadata.name)).toContain('churn');
  });
});

describe('the real kubectl', () => {
  async function file(name: string, text: string): Promise<string> {
    const p = join(t.dataDir, name);
    await writeFile(p, text);
    return p;
  }

  it('kubectl create -f with malformed JSON fails in kubectl and stores nothing', async () => {
    const before = await snapshot();
    const p = await file('bad.json', '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"');
    const r = await t.kubectl(['create', '-f', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: error parsing ${p}: unexpected EOF\n`);
    expect(await snapshot()).toBe(before);
  });

  it('kubectl apply -f with malformed YAML fails in kubectl and stores nothing', async () => {
    const before = await snapshot();
    const p = await file('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n');
    const r = await t.kubectl(['apply', '-f', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: error parsing ${p}: error converting YAML to JSON: yaml: line 4: did not find expected ',' or ']'\n`);
    expect(await snapshot()).toBe(before);
  });

  it.each([
    {
      what: 'an invalid name (create)', args: ['create'], file: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n',
      stderr: /^The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/,
    },
    {
      what: 'an invalid name (apply)', args: ['apply'], file: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n',
      stderr: /^The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/,
    },
    {
      what: 'a Pod without containers', args: ['create'], file: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: {}\n',
      stderr: /^The Pod "p" is invalid: .*spec\.containers: Required value/,
    },
    {
      what: 'an unknown field under --validate=strict', args: ['create', '--validate=strict'], file: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\nfoo: bar\n',
      stderr: /^Error from server \(BadRequest\): error when creating ".*": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "foo"\n$/,
    },
    {
      what: 'a namespace that does not exist', args: ['create', '-n', 'nope'], file: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
      stderr: /^Error from server \(NotFound\): error when creating ".*": namespaces "nope" not found\n$/,
    },
    {
      what: 'a stale resourceVersion (replace)', args: ['replace'], file: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: existing\n  resourceVersion: "1"\n',
      stderr: /^Error from server \(Conflict\): error when replacing ".*": Operation cannot be fulfilled on configmaps "existing": the object has been modified; please apply your changes to the latest version and try again\n$/,
    },
    {
      what: 'an object over 3 MiB', args: ['create'], file: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  x: ${'a'.repeat(3 * 1024 * 1024)}\n`,
      stderr: /^Error from server \(RequestEntityTooLarge\): error when creating ".*": Request entity too large: limit is 3145728\n$/,
    },
  ])('kubectl: $what', async ({ what, args, file: text, stderr }) => {
    const before = await snapshot();
    const p = await file(`${what.replace(/\W+/g, '-')}.yaml`, text);
    const r = await t.kubectl([...args, '-f', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(stderr);
    expect(await snapshot()).toBe(before);
  });

  it('kubectl --validate=warn creates the object and prints the server’s warning', async () => {
    const p = await file('warn.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kwarn\nfoo: bar\n');
    const r = await t.kubectl(['create', '--validate=warn', '-f', p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('configmap/kwarn created\n');
    expect(r.stderr).toBe('Warning: unknown field "foo"\n');
  });

  it.each([
    [['get', 'cm', '-l', 'app in (web'], `Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "app in (web", field selector "": unable to parse requirement: found '', expected: ',' or ')'\n`],
    [['get', 'cm', '--field-selector', 'spec.foo=bar'], 'Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo\n'],
  ])('kubectl %j prints the server’s 400', async (args, stderr) => {
    const r = await t.kubectl(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(stderr);
  });
});
