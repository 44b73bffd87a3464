/**
 * The audit log with the real kubectl: a policy with None / Metadata / Request / RequestResponse
 * rules, read back as audit.k8s.io/v1 Event JSON lines.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

let t: TestServer;
let dir: string;
let logPath: string;

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ["/api*", "/apis*", "/openapi*", "/version"]
  - level: None
    resources: [{group: "", resources: ["events"]}]
  - level: RequestResponse
    resources: [{group: "", resources: ["configmaps"]}]
  - level: Request
    resources: [{group: "apps", resources: ["deployments", "deployments/scale"]}]
    namespaces: ["audited"]
  - level: Metadata
    resources: [{group: "", resources: ["secrets"]}]
    omitStages: [RequestReceived]
  - level: Metadata
    userGroups: ["system:masters"]
`;

interface AuditEvent {
  kind: string; apiVersion: string; level: string; auditID: string; stage: string; requestURI: string; verb: string;
  user: { username: string; groups: string[] }; sourceIPs: string[]; userAgent: string;
  objectRef?: { resource: string; namespace?: string; name?: string; apiGroup?: string; apiVersion: string; subresource?: string };
  responseStatus?: { code: number; message?: string; reason?: string };
  requestObject?: any; responseObject?: any; requestReceivedTimestamp: string; stageTimestamp: string;
}

async function events(): Promise<AuditEvent[]> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
}

async function eventsWhere(pred: (e: AuditEvent) => boolean): Promise<AuditEvent[]> {
  let found: AuditEvent[] = [];
  await pollUntil(async () => (found = (await events()).filter(pred)).length > 0, 'matching audit events');
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-audit-'));
  const policyPath = join(dir, 'policy.yaml');
  logPath = join(dir, 'audit.log');
  await writeFile(policyPath, POLICY);
  t = await startTestServer({ apiOnly: true, auditPolicyFile: policyPath, auditLogPath: logPath });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('audit log', () => {
  it('RequestResponse: request and response objects of a ConfigMap create', async () => {
    await t.ok(['create', 'configmap', 'settings', '--from-literal=mode=fast']);
    const [e] = await eventsWhere((x) => x.objectRef?.resource === 'configmaps' && x.verb === 'create');
    expect(e).toMatchObject({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', stage: 'ResponseComplete', verb: 'create',
      user: { username: 'admin' }, objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' },
      responseStatus: { code: 201 },
    });
    expect(e!.requestURI).toMatch(/^\/api\/v1\/namespaces\/default\/configmaps/);
    expect(e!.userAgent).toMatch(/^kubectl/);
    expect(e!.sourceIPs).toContain('127.0.0.1');
    expect(e!.user.groups).toContain('system:masters');
    expect(e!.requestObject.data).toEqual({ mode: 'fast' });
    expect(e!.responseObject.metadata.uid).toBeTruthy();
    expect(e!.auditID).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(e!.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(e!.requestReceivedTimestamp));
  });

  it('Metadata: a Secret read records who and what, never the data', async () => {
    await t.ok(['create', 'secret', 'generic', 'pw', '--from-literal=password=hunter2-audit']);
    await t.ok(['get', 'secret', 'pw', '-o', 'yaml']);
    const got = await eventsWhere((x) => x.objectRef?.resource === 'secrets' && x.verb === 'get' && x.objectRef.name === 'pw');
    expect(got[0]).toMatchObject({ level: 'Metadata', stage: 'ResponseComplete', responseStatus: { code: 200 } });
    expect(got[0]!.requestObject).toBeUndefined();
    expect(got[0]!.responseObject).toBeUndefined();
    const all = await readFile(logPath, 'utf8');
    expect(all).not.toContain('hunter2-audit');
    expect(all).not.toContain(Buffer.from('hunter2-audit').toString('base64'));
  });

  it('Request: the request object but no response object; failures carry the Status reason', async () => {
    await t.ok(['create', 'namespace', 'audited']);
    await t.ok(['create', 'deployment', 'web', '-n', 'audited', '--image=k8ts.local/busybox:1.36']);
    const [e] = await eventsWhere((x) => x.objectRef?.resource === 'deployments' && x.verb === 'create');
    expect(e).toMatchObject({ level: 'Request', objectRef: { apiGroup: 'apps', namespace: 'audited' }, responseStatus: { code: 201 } });
    expect(e!.requestObject.spec.template.spec.containers[0].image).toBe('k8ts.local/busybox:1.36');
    expect(e!.responseObject).toBeUndefined();

    const r = await t.kubectl(['get', 'deployment', 'missing', '-n', 'audited']);
    expect(r.code).not.toBe(0);
    const [nf] = await eventsWhere((x) => x.objectRef?.name === 'missing');
    expect(nf!.responseStatus).toMatchObject({ code: 404, reason: 'NotFound', message: 'deployments.apps "missing" not found' });

    await t.ok(['scale', 'deployment', 'web', '-n', 'audited', '--replicas=3']);
    const [sc] = await eventsWhere((x) => x.objectRef?.subresource === 'scale');
    expect(sc).toMatchObject({ level: 'Request', objectRef: { resource: 'deployments', subresource: 'scale', name: 'web' } });
  });

  it('None: discovery and events are not logged; omitted stages do not appear', async () => {
    await t.ok(['get', 'pods']);
    const all = await events();
    expect(all.some((e) => e.requestURI.startsWith('/api?') || e.requestURI === '/api' || e.requestURI.startsWith('/apis?'))).toBe(false);
    expect(all.some((e) => e.stage === 'RequestReceived')).toBe(false);
    expect(all.some((e) => e.objectRef?.resource === 'pods' && e.verb === 'list')).toBe(true);
  });

  it('impersonation: the authenticated user is the user, the impersonated one impersonatedUser', async () => {
    const r = await t.kubectl(['get', 'configmap', 'settings', '--as=bob', '--as-group=devs']);
    const [e] = await eventsWhere((x) => x.objectRef?.name === 'settings' && x.verb === 'get' && Boolean((x as any).impersonatedUser));
    expect(e!.user.username).toBe('admin');
    expect((e as any).impersonatedUser).toMatchObject({ username: 'bob', groups: expect.arrayContaining(['devs']) });
    expect(Object.keys(e!).indexOf('impersonatedUser')).toBe(Object.keys(e!).indexOf('user') + 1);
    expect(e!.responseStatus!.code).toBe(r.code === 0 ? 200 : 403);
  });

  it('a watch gets ResponseStarted and later ResponseComplete with one auditID', async () => {
    const r = await t.kubectl(['get', 'configmaps', '--watch', '--request-timeout=2s']);
    expect(r.stderr).not.toContain('Unauthorized');
    const watches = await eventsWhere((x) => x.verb === 'watch' && x.objectRef?.resource === 'configmaps' && x.stage === 'ResponseComplete');
    const started = (await events()).filter((x) => x.auditID === watches[0]!.auditID).map((x) => x.stage);
    expect(started).toEqual(['ResponseStarted', 'ResponseComplete']);
  });
});
