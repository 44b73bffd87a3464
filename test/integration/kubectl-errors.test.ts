/**
 * Invalid input through the real kubectl: what the user reads, and that nothing was stored or
 * changed afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;
let work: string;

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** kubectl get <type> <name> fails with NotFound: nothing was stored. */
async function expectAbsent(type: string, name: string, ns = 'default'): Promise<void> {
  const r = await t.kubectl(['get', type, name, '-n', ns]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^Error from server \(NotFound\): .* not found\n$/);
}

beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
  work = await mkdtemp(join(tmpdir(), 'k8ts-kubectl-errors-'));
});
afterAll(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const RFC1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('invalid objects (422 Invalid with causes)', () => {
  it.each(['apply', 'create'])('an invalid name via %s', async (verb) => {
    const r = await t.kubectl([verb, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${RFC1123_SUBDOMAIN}\n`);
    const list = await t.kubectl(['get', 'cm']);
    expect(list.stderr).toBe('No resources found in default namespace.\n');
  });

  it('missing required fields list one cause per line', async () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: incomplete',
      'spec:',
      '  selector:',
      '    matchLabels: {app: x}',
      '  template:',
      '    metadata:',
      '      labels: {app: x}',
      '    spec:',
      '      containers:',
      '      - name: c',
      '',
    ].join('\n');
    const r = await t.kubectl(['apply', '-f', '-'], { input: manifest });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Deployment "incomplete" is invalid: spec.template.spec.containers[0].image: Required value\n');
    await expectAbsent('deploy', 'incomplete');
  });

  it('several causes at once', async () => {
    const r = await t.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'bad-svc' },
        spec: { type: 'NodePort', ports: [{ port: 70000 }, { port: 80, protocol: 'SCTPX' }] },
      }),
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('The Service "bad-svc" is invalid: ');
    expect(lines).toContain('* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(lines.some((l) => l.startsWith('* spec.ports[1].protocol: Unsupported value: "SCTPX"'))).toBe(true);
    await expectAbsent('svc', 'bad-svc');
  });

  it('an invalid update leaves the object unchanged', async () => {
    await ok(['create', 'deployment', 'steady', '--image=nginx:1.25']);
    const before = JSON.parse(await ok(['get', 'deploy', 'steady', '-o', 'json']));
    const r = await t.kubectl(['patch', 'deploy', 'steady', '--type=merge', '-p', '{"spec":{"replicas":-1}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Deployment "steady" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n');
    const after = JSON.parse(await ok(['get', 'deploy', 'steady', '-o', 'json']));
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec.replicas).toBe(1);
  });

  it('an immutable field cannot change', async () => {
    const r = await t.kubectl(['patch', 'deploy', 'steady', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The Deployment "steady" is invalid: spec\.selector: Invalid value: .*: field is immutable\n$/);
    expect(JSON.parse(await ok(['get', 'deploy', 'steady', '-o', 'json'])).spec.selector).toEqual({ matchLabels: { app: 'steady' } });
  });
});

describe('unknown fields', () => {
  const withUnknown = (name: string) =>
    ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, '  colour: red', 'bogus: 1', 'data:', '  a: b', ''].join('\n');

  it.each(['apply', 'create'])('%s (strict by default) refuses them and stores nothing', async (verb) => {
    const r = await t.kubectl([verb, '-f', '-'], { input: withUnknown(`unk-${verb}`) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus", unknown field "metadata.colour"\n`,
    );
    await expectAbsent('cm', `unk-${verb}`);
  });

  it('--validate=warn stores the object without them and warns', async () => {
    const r = await t.kubectl(['create', '--validate=warn', '-f', '-'], { input: withUnknown('unk-warn') });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('configmap/unk-warn created\n');
    expect(r.stderr).toMatch(/^Warning: unknown field "bogus"$/m);
    expect(r.stderr).toMatch(/^Warning: unknown field "metadata.colour"$/m);
    const live = JSON.parse(await ok(['get', 'cm', 'unk-warn', '-o', 'json']));
    expect(live.bogus).toBeUndefined();
    expect(live.metadata.colour).toBeUndefined();
    expect(live.data).toEqual({ a: 'b' });
  });

  it('--validate=false drops them silently', async () => {
    const r = await t.kubectl(['create', '--validate=false', '-f', '-'], { input: withUnknown('unk-ignore') });
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/unk-ignore created\n', stderr: '' });
  });

  it('kubectl patch sends no fieldValidation: the server warns (its default) and drops the field', async () => {
    const before = JSON.parse(await ok(['get', 'deploy', 'steady', '-o', 'json']));
    const r = await t.kubectl(['patch', 'deploy', 'steady', '-p', '{"spec":{"replicaz":3}}']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/steady patched (no change)\n' });
    expect(r.stderr).toBe('Warning: unknown field "spec.replicaz"\n');
    expect(JSON.parse(await ok(['get', 'deploy', 'steady', '-o', 'json'])).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

describe('malformed files', () => {
  it('malformed YAML is rejected by kubectl before any request', async () => {
    const file = join(work, 'bad.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unterminated\n');
    const r = await t.kubectl(['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: error parsing ${file}: error converting YAML to JSON: yaml: line 4: did not find expected ',' or ']'\n`);
  });

  it('malformed JSON is rejected', async () => {
    const file = join(work, 'bad.json');
    await writeFile(file, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"half"');
    for (const verb of ['apply', 'create']) {
      const r = await t.kubectl([verb, '-f', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: error parsing ${file}: unexpected EOF\n`);
    }
    await expectAbsent('cm', 'half');
  });

  it('a manifest without kind is rejected', async () => {
    const r = await t.kubectl(['apply', '-f', '-'], { input: '{"apiVersion":"v1","metadata":{"name":"nokind"}}' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: error validating "STDIN": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false\n');
  });

  it('a kind the server does not serve is reported', async () => {
    const r = await t.kubectl(['apply', '-f', '-'], { input: '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/resource mapping not found for name: "w" namespace: "" from "STDIN": no matches for kind "Widget" in version "example\.com\/v1"/);
  });

  it('a malformed merge patch is a BadRequest and changes nothing', async () => {
    const before = JSON.parse(await ok(['get', 'deploy', 'steady', '-o', 'json']));
    const r = await t.kubectl(['patch', 'deploy', 'steady', '--type=merge', '-p', '{"spec":']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error from server \(BadRequest\): /);
    expect(JSON.parse(await ok(['get', 'deploy', 'steady', '-o', 'json'])).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

describe('conflicts, missing namespaces and existing names', () => {
  it('replace with a stale resourceVersion is a 409 Conflict and changes nothing', async () => {
    await ok(['create', 'configmap', 'contested', '--from-literal=v=1']);
    const stale = JSON.parse(await ok(['get', 'cm', 'contested', '-o', 'json']));
    await ok(['label', 'cm', 'contested', 'touched=yes']);
    const current = JSON.parse(await ok(['get', 'cm', 'contested', '-o', 'json']));
    stale.data.v = '2';
    const file = join(work, 'stale.json');
    await writeFile(file, JSON.stringify(stale));
    const r = await t.kubectl(['replace', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error from server (Conflict): error when replacing "${file}": Operation cannot be fulfilled on configmaps "contested": the object has been modified; please apply your changes to the latest version and try again\n`,
    );
    const after = JSON.parse(await ok(['get', 'cm', 'contested', '-o', 'json']));
    expect(after.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
    expect(after.data).toEqual({ v: '1' });
    // Without a resourceVersion, replace wins.
    delete stale.metadata.resourceVersion;
    await writeFile(file, JSON.stringify(stale));
    expect(await ok(['replace', '-f', file])).toBe('configmap/contested replaced\n');
    expect(JSON.parse(await ok(['get', 'cm', 'contested', '-o', 'json'])).data).toEqual({ v: '2' });
  });

  it('replace of a missing object is NotFound', async () => {
    const r = await t.kubectl(['replace', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'never' } }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): error when replacing "STDIN": configmaps "never" not found\n');
    await expectAbsent('cm', 'never');
  });

  it.each(['apply', 'create'])('%s into a namespace that does not exist is NotFound', async (verb) => {
    const r = await t.kubectl([verb, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan', namespace: 'nowhere' } }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): error when creating "STDIN": namespaces "nowhere" not found\n');
    const all = await t.kubectl(['get', 'cm', '-A', '--field-selector', 'metadata.name=orphan']);
    expect(all.stderr).toBe('No resources found\n');
  });

  it('create of an existing name is AlreadyExists and keeps the original', async () => {
    await ok(['create', 'configmap', 'taken', '--from-literal=owner=first']);
    const gen = await t.kubectl(['create', 'configmap', 'taken', '--from-literal=owner=second']);
    expect(gen.code).toBe(1);
    expect(gen.stderr).toBe('error: failed to create configmap: configmaps "taken" already exists\n');
    const file = await t.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'taken' }, data: { owner: 'third' } }) });
    expect(file.code).toBe(1);
    expect(file.stderr).toBe('Error from server (AlreadyExists): error when creating "STDIN": configmaps "taken" already exists\n');
    expect(JSON.parse(await ok(['get', 'cm', 'taken', '-o', 'json'])).data).toEqual({ owner: 'first' });
  });

  it('a namespace name is validated as a DNS label', async () => {
    const r = await t.kubectl(['create', 'namespace', 'has.dots']);
    expect(r.code).toBe(1);
    // upstream's IsDNS1123Label names the dots when the value is otherwise a valid subdomain.
    expect(r.stderr).toBe('The Namespace "has.dots" is invalid: metadata.name: Invalid value: "has.dots": must not contain dots\n');
    await expectAbsent('ns', 'has.dots');
  });
});
