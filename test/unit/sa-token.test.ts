/** ServiceAccount tokens: issuing and verifying RS256 JWTs against live objects. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ServiceAccountTokens, splitServiceAccountUser } from '../../src/apiserver/authn/service-account.js';
import { decodeJwt } from '../../src/apiserver/authn/jwt.js';

function keys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
const k = keys();
const other = keys();

const objects = new Map<string, any>([
  ['serviceaccounts/ns/sa', { metadata: { uid: 'sa-uid' } }],
  ['pods/ns/p', { metadata: { uid: 'pod-uid' } }],
]);
const lookup = async (plural: string, ns: string, name: string) => objects.get(`${plural}/${ns}/${name}`);

function tokens(now = new Date('2026-01-01T00:00:00Z'), priv = k.priv, pubs = [k.pub]) {
  return new ServiceAccountTokens({ privateKeyPem: priv, publicKeyPems: pubs, lookup, clock: () => now });
}

describe('ServiceAccountTokens', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const base = { namespace: 'ns', serviceAccount: { name: 'sa', uid: 'sa-uid' }, audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600, now: t0 };

  it('issues upstream-shaped claims with a kid header', () => {
    const { token, expiration } = tokens().issue(base);
    const jwt = decodeJwt(token)!;
    expect(jwt.header).toMatchObject({ alg: 'RS256' });
    expect(typeof jwt.header.kid).toBe('string');
    expect(jwt.claims).toMatchObject({ iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:ns:sa', iat: 1767225600, nbf: 1767225600, exp: 1767229200 });
    expect(expiration.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('extends 3607 s pod-bound tokens to a year with warnafter', () => {
    const { token } = tokens().issue({ ...base, expirationSeconds: 3607, bound: { kind: 'Pod', name: 'p', uid: 'pod-uid' } });
    const c = decodeJwt(token)!.claims as any;
    expect(c.exp - c.iat).toBe(365 * 24 * 3600);
    expect(c['kubernetes.io'].warnafter).toBe(c.iat + 3607);
  });

  it('verifies a good token into the service account user', async () => {
    const { token } = tokens().issue({ ...base, bound: { kind: 'Pod', name: 'p', uid: 'pod-uid' } });
    const u = await tokens().verify(token);
    expect(u).toMatchObject({ username: 'system:serviceaccount:ns:sa', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'] });
    expect(u!.extra!['authentication.kubernetes.io/pod-name']).toEqual(['p']);
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    ['expired', async () => tokens(new Date(t0.getTime() + 2 * 3600_000)).verify(tokens().issue(base).token), /expired/],
    ['other audience', async () => tokens().verify(tokens().issue({ ...base, audiences: ['vault'] }).token), /audiences/],
    ['signed by another key', async () => tokens().verify(tokens(t0, other.priv, [other.pub]).issue(base).token), /signature/],
    ['account re-created (uid differs)', async () => tokens().verify(tokens().issue({ ...base, serviceAccount: { name: 'sa', uid: 'old' } }).token), /UID/],
    ['bound pod gone', async () => tokens().verify(tokens().issue({ ...base, bound: { kind: 'Pod', name: 'gone', uid: 'x' } }).token), /deleted/],
  ])('rejects a token: %s', async (_n, run, err) => {
    await expect(run()).rejects.toThrow(err);
  });

  it('leaves tokens that are not its own to other authenticators', async () => {
    expect(await tokens().verify('static-token-123')).toBeUndefined();
    const foreign = tokens().issue(base).token.split('.');
    const claims = { ...decodeJwt(foreign.join('.'))!.claims, iss: 'https://elsewhere' };
    expect(await tokens().verify(`${foreign[0]}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${foreign[2]}`)).toBeUndefined();
  });

  it('splits service account user names', () => {
    expect(splitServiceAccountUser('system:serviceaccount:ns:sa')).toEqual({ namespace: 'ns', name: 'sa' });
    expect(splitServiceAccountUser('alice')).toBeUndefined();
  });
});
