/**
 * ServiceAccount tokens end to end with the real kubectl: `kubectl create token` (TokenRequest),
 * the token authenticating as system:serviceaccount:NS:NAME, expiry/audience/binding rules, and
 * the token ceasing to work when its ServiceAccount or bound Pod is deleted.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKubectl, startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

let t: TestServer;
let cacheDir: string;
let emptyKubeconfig: string;

const claimsOf = (token: string): Record<string, any> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

/** kubectl with only a bearer token (no client certificate). */
const asToken = (token: string, args: string[]) =>
  runKubectl(['--kubeconfig', emptyKubeconfig, '--cache-dir', cacheDir, '--server', t.url, '--certificate-authority', join(t.dataDir, 'pki', 'ca.crt'), '--token', token, ...args]);

beforeAll(async () => {
  t = await startTestServer({ disable: ['scheduler'] });
  cacheDir = await mkdtemp(join(tmpdir(), 'k8ts-sa-token-'));
  emptyKubeconfig = join(cacheDir, 'empty-kubeconfig');
  await writeFile(emptyKubeconfig, 'apiVersion: v1\nkind: Config\n');
  await pollUntil(async () => (await t.kubectl(['get', 'serviceaccount', 'default'])).code === 0, 'default ServiceAccount');
}, 60_000);

afterAll(async () => {
  await t?.stop();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

describe('kubectl create token', () => {
  it('issues a bound token that authenticates as the ServiceAccount', async () => {
    await t.ok(['create', 'serviceaccount', 'robot']);
    const uid = (await t.ok(['get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const token = (await t.ok(['create', 'token', 'robot'])).trim();
    const c = claimsOf(token);
    expect(c.iss).toBe('https://kubernetes.default.svc.cluster.local');
    expect(c.aud).toEqual(['https://kubernetes.default.svc.cluster.local']);
    expect(c.sub).toBe('system:serviceaccount:default:robot');
    expect(c['kubernetes.io']).toMatchObject({ namespace: 'default', serviceaccount: { name: 'robot', uid } });
    expect(c.exp - c.iat).toBe(3600);
    expect(c.nbf).toBe(c.iat);

    const who = await asToken(token, ['auth', 'whoami', '-o', 'json']);
    expect(who.stderr).toBe('');
    const status = JSON.parse(who.stdout).status.userInfo;
    expect(status.username).toBe('system:serviceaccount:default:robot');
    expect(status.uid).toBe(uid);
    expect(status.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    expect(status.extra['authentication.kubernetes.io/credential-id']).toEqual([`JTI=${c.jti}`]);
  });

  it('honours --duration and refuses less than ten minutes', async () => {
    const token = (await t.ok(['create', 'token', 'default', '--duration', '2h'])).trim();
    const c = claimsOf(token);
    expect(c.exp - c.iat).toBe(7200);
    const short = await t.kubectl(['create', 'token', 'default', '--duration', '5m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('may not specify a duration less than 10 minutes');
  });

  it('a token for another audience does not authenticate to the API', async () => {
    const token = (await t.ok(['create', 'token', 'default', '--audience', 'https://vault.example'])).trim();
    expect(claimsOf(token).aud).toEqual(['https://vault.example']);
    const r = await asToken(token, ['get', 'pods']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('You must be logged in to the server');
  });

  it('a tampered token is refused', async () => {
    const token = (await t.ok(['create', 'token', 'default'])).trim();
    const [h, p, s] = token.split('.');
    const claims = claimsOf(token);
    claims.sub = 'system:serviceaccount:kube-system:default';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect(p).not.toBe(forged.split('.')[1]);
    const r = await asToken(forged, ['auth', 'whoami']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unauthorized');
  });

  it('stops working when the ServiceAccount is deleted, even if one with the same name is re-created', async () => {
    await t.ok(['create', 'serviceaccount', 'shortlived']);
    const token = (await t.ok(['create', 'token', 'shortlived'])).trim();
    expect((await asToken(token, ['auth', 'whoami'])).code).toBe(0);
    await t.ok(['delete', 'serviceaccount', 'shortlived']);
    await t.ok(['create', 'serviceaccount', 'shortlived']);
    const r = await asToken(token, ['auth', 'whoami']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unauthorized');
  });

  it('binds to a Pod: pod claims and extra, and invalid once the pod is gone', async () => {
    await t.ok(['create', 'serviceaccount', 'worker']);
    await t.ok(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: bound, namespace: default}
spec:
  serviceAccountName: worker
  containers: [{name: c, image: k8ts.local/busybox:1.36}]
`);
    const podUid = (await t.ok(['get', 'pod', 'bound', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const token = (await t.ok(['create', 'token', 'worker', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound'])).trim();
    expect(claimsOf(token)['kubernetes.io'].pod).toEqual({ name: 'bound', uid: podUid });
    const who = JSON.parse((await asToken(token, ['auth', 'whoami', '-o', 'json'])).stdout).status.userInfo;
    expect(who.extra['authentication.kubernetes.io/pod-name']).toEqual(['bound']);
    expect(who.extra['authentication.kubernetes.io/pod-uid']).toEqual([podUid]);

    const other = await t.kubectl(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.');
    const missing = await t.kubectl(['create', 'token', 'worker', '--bound-object-kind', 'Pod', '--bound-object-name', 'nope']);
    expect(missing.stderr).toContain('pods "nope" not found');

    await t.ok(['delete', 'pod', 'bound', '--grace-period=0', '--force']);
    await pollUntil(async () => (await t.kubectl(['get', 'pod', 'bound'])).code !== 0, 'pod deleted');
    const r = await asToken(token, ['auth', 'whoami']);
    expect(r.stderr).toContain('Unauthorized');
  });

  it('binds to a Secret', async () => {
    await t.ok(['create', 'secret', 'generic', 'anchor', '--from-literal=a=b']);
    const token = (await t.ok(['create', 'token', 'default', '--bound-object-kind', 'Secret', '--bound-object-name', 'anchor'])).trim();
    expect(claimsOf(token)['kubernetes.io'].secret.name).toBe('anchor');
    expect((await asToken(token, ['auth', 'whoami'])).code).toBe(0);
    await t.ok(['delete', 'secret', 'anchor']);
    expect((await asToken(token, ['auth', 'whoami'])).stderr).toContain('Unauthorized');
  });

  it('a missing ServiceAccount is NotFound', async () => {
    const r = await t.kubectl(['create', 'token', 'ghost']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('serviceaccounts "ghost" not found');
  });

  it('fills a kubernetes.io/service-account-token Secret with a working token, deleted with its account', async () => {
    await t.ok(['create', 'serviceaccount', 'legacy']);
    await t.ok(['apply', '-f', '-'], `apiVersion: v1
kind: Secret
metadata:
  name: legacy-token
  annotations: {kubernetes.io/service-account.name: legacy}
type: kubernetes.io/service-account-token
`);
    let data: Record<string, string> = {};
    await pollUntil(async () => Boolean((data = JSON.parse(await t.ok(['get', 'secret', 'legacy-token', '-o', 'json'])).data ?? {}).token), 'legacy token filled');
    const ca = await readFile(join(t.dataDir, 'pki', 'ca.crt'), 'utf8');
    expect(Buffer.from(data['ca.crt']!, 'base64').toString()).toBe(ca);
    expect(Buffer.from(data.namespace!, 'base64').toString()).toBe('default');
    const token = Buffer.from(data.token!, 'base64').toString();
    expect(claimsOf(token)).toMatchObject({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:default:legacy' });
    const who = JSON.parse((await asToken(token, ['auth', 'whoami', '-o', 'json'])).stdout).status.userInfo;
    expect(who.username).toBe('system:serviceaccount:default:legacy');
    expect(who.extra['authentication.kubernetes.io/credential-id']).toEqual(['Secret=legacy-token']);
    await t.ok(['delete', 'serviceaccount', 'legacy']);
    await pollUntil(async () => (await t.kubectl(['get', 'secret', 'legacy-token'])).code !== 0, 'legacy token secret deleted');
    expect((await asToken(token, ['auth', 'whoami'])).stderr).toContain('Unauthorized');
  });

  it('a token acts with exactly its account\'s grants (RBAC)', async () => {
    await t.ok(['create', 'namespace', 'other']);
    await t.ok(['create', 'serviceaccount', 'reader']);
    await t.ok(['-n', 'other', 'create', 'secret', 'generic', 'theirs', '--from-literal=k=v']);
    const token = (await t.ok(['create', 'token', 'reader'])).trim();
    const denied = await asToken(token, ['get', 'pods']);
    expect(denied.stderr).toContain('pods is forbidden: User "system:serviceaccount:default:reader" cannot list resource "pods" in API group "" in the namespace "default"');
    await t.ok(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
    await t.ok(['create', 'rolebinding', 'reader-pods', '--role=pod-reader', '--serviceaccount=default:reader']);
    await pollUntil(async () => (await asToken(token, ['get', 'pods'])).code === 0, 'the RoleBinding to take effect');
    const secrets = await asToken(token, ['-n', 'other', 'get', 'secret', 'theirs']);
    expect(secrets.stderr).toContain('secrets "theirs" is forbidden: User "system:serviceaccount:default:reader" cannot get resource "secrets" in API group "" in the namespace "other"');
    const can = await asToken(token, ['auth', 'can-i', 'list', 'pods']);
    expect(can.stdout.trim()).toBe('yes');
  });

  it('TokenReview accepts a valid token', async () => {
    const token = (await t.ok(['create', 'token', 'default'])).trim();
    const review = JSON.parse(await t.ok(['create', '--validate=false', '-o', 'json', '-f', '-'], JSON.stringify({
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
    })));
    expect(review.status.authenticated).toBe(true);
    expect(review.status.user.username).toBe('system:serviceaccount:default:default');

    expect(review.status.audiences).toEqual(['https://kubernetes.default.svc.cluster.local']);

    // A token for another audience passes a review that asks for that audience, and fails one that does not.
    const vault = (await t.ok(['create', 'token', 'default', '--audience', 'https://vault.example'])).trim();
    const review2 = (audiences?: string[]) => t.ok(['create', '--validate=false', '-o', 'json', '-f', '-'], JSON.stringify({
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: vault, ...(audiences ? { audiences } : {}) },
    })).then((o) => JSON.parse(o).status);
    expect(await review2(['https://vault.example', 'other'])).toMatchObject({ authenticated: true, audiences: ['https://vault.example'] });
    expect((await review2()).authenticated).toBe(false);
  });
});
