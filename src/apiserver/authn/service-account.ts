// ServiceAccount tokens: issuing bound RS256 JWTs (for TokenRequest) and authenticating them.
// A token names its ServiceAccount (and optionally the Pod or Secret it is bound to) by name and uid;
// it is valid only while those objects still exist with the same uids. The objects are read through
// a lookup the API server provides, so this file imports Node built-ins and its siblings only.
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { decodeJwt, keyId, signJwt, verifyJwtSignature, type JwtClaims } from './jwt.js';
import { bearerToken } from './token-file.js';
import { AuthenticationError, GROUP_AUTHENTICATED } from './types.js';
import type { Authenticator, UserInfo } from './types.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** Issuer of legacy (Secret-based) ServiceAccount tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** Projected tokens asked for with this lifetime are extended to a year, warning after the asked one (upstream). */
export const PROJECTED_TOKEN_SECONDS = 3607;
const EXTENDED_SECONDS = 365 * 24 * 3600;

export const SA_PREFIX = 'system:serviceaccount:';
export const SA_GROUP = 'system:serviceaccounts';

/** Reads an object by plural ('serviceaccounts', 'pods', 'secrets', 'nodes') in the core group. */
export type ObjectLookup = (plural: string, namespace: string, name: string) => Promise<{ metadata: { uid?: string; deletionTimestamp?: string } } & Record<string, any> | undefined>;

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

export interface TokenRequestInput {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  bound?: BoundObject;
  /** For Pod-bound tokens: the pod's node, as upstream records it. */
  node?: { name: string; uid: string };
  now?: Date;
}

export interface IssuedToken {
  token: string;
  expiration: Date;
}

export interface ServiceAccountTokenOptions {
  /** RSA private key (PEM) that signs tokens. */
  privateKeyPem: string;
  /** Public keys that verify tokens (the signing key's public half, plus older ones). */
  publicKeyPems: string[];
  issuer?: string;
  /** What a token must be meant for to authenticate to the API (default [issuer]). */
  apiAudiences?: string[];
  /** Extend 3607 s pod-bound tokens to a year, with warnafter (default true, as upstream). */
  extendExpiration?: boolean;
  lookup: ObjectLookup;
  clock?: () => Date;
}

/** Splits `system:serviceaccount:NS:NAME`; undefined for other user names. */
export function splitServiceAccountUser(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

export function serviceAccountUser(namespace: string, name: string, uid?: string, extra?: Record<string, string[]>): UserInfo {
  const u: UserInfo = { username: `${SA_PREFIX}${namespace}:${name}`, groups: [SA_GROUP, `${SA_GROUP}:${namespace}`, GROUP_AUTHENTICATED] };
  if (uid) u.uid = uid;
  if (extra && Object.keys(extra).length) u.extra = extra;
  return u;
}

export class ServiceAccountTokens {
  readonly issuer: string;
  readonly apiAudiences: string[];
  private readonly kid: string;
  private readonly publicKeys: KeyObject[];
  private readonly clock: () => Date;

  constructor(private readonly opts: ServiceAccountTokenOptions) {
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.apiAudiences = opts.apiAudiences?.length ? [...opts.apiAudiences] : [this.issuer];
    this.kid = keyId(createPublicKey(opts.privateKeyPem));
    this.publicKeys = opts.publicKeyPems.map((p) => createPublicKey(p));
    this.clock = opts.clock ?? (() => new Date());
  }

  /** Signs a bound token with upstream's claims. */
  issue(input: TokenRequestInput): IssuedToken {
    const now = input.now ?? this.clock();
    const iat = Math.floor(now.getTime() / 1000);
    let seconds = input.expirationSeconds;
    let warnafter: number | undefined;
    if ((this.opts.extendExpiration ?? true) && input.bound?.kind === 'Pod' && seconds === PROJECTED_TOKEN_SECONDS) {
      warnafter = iat + seconds;
      seconds = EXTENDED_SECONDS;
    }
    const exp = iat + seconds;
    const k8s: Record<string, unknown> = {
      namespace: input.namespace,
      serviceaccount: { name: input.serviceAccount.name, uid: input.serviceAccount.uid },
    };
    if (input.bound?.kind === 'Pod') {
      k8s.pod = { name: input.bound.name, uid: input.bound.uid };
      if (input.node) k8s.node = { name: input.node.name, uid: input.node.uid };
    } else if (input.bound?.kind === 'Secret') k8s.secret = { name: input.bound.name, uid: input.bound.uid };
    else if (input.bound?.kind === 'Node') k8s.node = { name: input.bound.name, uid: input.bound.uid };
    if (warnafter !== undefined) k8s.warnafter = warnafter;
    const claims: JwtClaims = {
      aud: input.audiences,
      exp,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: iat,
      sub: `${SA_PREFIX}${input.namespace}:${input.serviceAccount.name}`,
    };
    return { token: signJwt(claims, this.opts.privateKeyPem, this.kid), expiration: new Date(exp * 1000) };
  }

  /** Signs a legacy, non-expiring token for a `kubernetes.io/service-account-token` Secret. */
  issueLegacy(namespace: string, sa: { name: string; uid: string }, secretName: string): string {
    return signJwt({
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/namespace': namespace,
      'kubernetes.io/serviceaccount/secret.name': secretName,
      'kubernetes.io/serviceaccount/service-account.name': sa.name,
      'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
      sub: `${SA_PREFIX}${namespace}:${sa.name}`,
    }, this.opts.privateKeyPem, this.kid);
  }

  /**
   * Checks a token and returns its user; undefined when the token is not a ServiceAccount token
   * of this issuer (so other authenticators may try it). Throws AuthenticationError when it is one
   * but is invalid. `audiences` defaults to the API audiences.
   */
  async verify(token: string, audiences: readonly string[] = this.apiAudiences): Promise<UserInfo | undefined> {
    const jwt = decodeJwt(token);
    if (!jwt) return undefined;
    const iss = jwt.claims.iss;
    if (iss !== this.issuer && iss !== LEGACY_ISSUER) return undefined;
    if (!verifyJwtSignature(jwt, this.publicKeys)) throw new AuthenticationError('service account token: invalid signature');
    return iss === LEGACY_ISSUER ? this.verifyLegacy(jwt.claims, token) : this.verifyBound(jwt.claims, audiences);
  }

  private async verifyBound(c: JwtClaims, audiences: readonly string[]): Promise<UserInfo> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const leeway = 60;
    if (typeof c.exp !== 'number' || now > c.exp + leeway) throw new AuthenticationError('service account token has expired');
    if (typeof c.nbf === 'number' && now + leeway < c.nbf) throw new AuthenticationError('service account token is not valid yet');
    const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud.filter((a): a is string => typeof a === 'string') : [];
    if (!aud.some((a) => audiences.includes(a))) throw new AuthenticationError('service account token: token audiences do not match');
    const k8s = c['kubernetes.io'] as Record<string, any> | undefined;
    const namespace = k8s?.namespace;
    const sa = k8s?.serviceaccount;
    if (typeof namespace !== 'string' || typeof sa?.name !== 'string' || c.sub !== `${SA_PREFIX}${namespace}:${sa.name}`) {
      throw new AuthenticationError('service account token: malformed claims');
    }
    await this.mustExist('serviceaccounts', namespace, sa.name, sa.uid, 'service account');
    const extra: Record<string, string[]> = {};
    if (k8s?.pod) {
      await this.mustExist('pods', namespace, k8s.pod.name, k8s.pod.uid, 'pod');
      extra['authentication.kubernetes.io/pod-name'] = [String(k8s.pod.name)];
      extra['authentication.kubernetes.io/pod-uid'] = [String(k8s.pod.uid)];
    }
    if (k8s?.secret) await this.mustExist('secrets', namespace, k8s.secret.name, k8s.secret.uid, 'secret');
    if (k8s?.node) {
      if (!k8s.pod) await this.mustExist('nodes', '', k8s.node.name, k8s.node.uid, 'node');
      extra['authentication.kubernetes.io/node-name'] = [String(k8s.node.name)];
      extra['authentication.kubernetes.io/node-uid'] = [String(k8s.node.uid)];
    }
    if (typeof c.jti === 'string') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${c.jti}`];
    return serviceAccountUser(namespace, sa.name, String(sa.uid), extra);
  }

  private async verifyLegacy(c: JwtClaims, token: string): Promise<UserInfo> {
    const namespace = c['kubernetes.io/serviceaccount/namespace'];
    const secretName = c['kubernetes.io/serviceaccount/secret.name'];
    const saName = c['kubernetes.io/serviceaccount/service-account.name'];
    const saUid = c['kubernetes.io/serviceaccount/service-account.uid'];
    if (typeof namespace !== 'string' || typeof secretName !== 'string' || typeof saName !== 'string' || typeof saUid !== 'string') {
      throw new AuthenticationError('service account token: malformed legacy claims');
    }
    await this.mustExist('serviceaccounts', namespace, saName, saUid, 'service account');
    const secret = await this.opts.lookup('secrets', namespace, secretName);
    if (!secret || secret.metadata.deletionTimestamp) throw new AuthenticationError(`service account token: secret ${namespace}/${secretName} not found`);
    const stored = secret.data?.token;
    if (typeof stored !== 'string' || secret.type !== 'kubernetes.io/service-account-token' || Buffer.from(stored, 'base64').toString('utf8') !== token) {
      throw new AuthenticationError(`service account token: secret ${namespace}/${secretName} no longer holds this token`);
    }
    return serviceAccountUser(namespace, saName, saUid, { 'authentication.kubernetes.io/credential-id': [`Secret=${secretName}`] });
  }

  private async mustExist(plural: string, namespace: string, name: unknown, uid: unknown, what: string): Promise<void> {
    if (typeof name !== 'string') throw new AuthenticationError(`service account token: malformed ${what} claim`);
    const obj = await this.opts.lookup(plural, namespace, name);
    const where = namespace ? `${namespace}/${name}` : name;
    if (!obj) throw new AuthenticationError(`${what} ${where} has been deleted`);
    if (uid !== undefined && obj.metadata.uid !== uid) {
      throw new AuthenticationError(`${what} UID (${String(obj.metadata.uid)}) does not match claim (${String(uid)})`);
    }
    if (plural === 'pods' && obj.metadata.deletionTimestamp && Date.parse(obj.metadata.deletionTimestamp) < this.clock().getTime()) {
      throw new AuthenticationError(`pod ${where} is being deleted`);
    }
  }

  /** The bearer-token authenticator for the API server's chain. */
  authenticator(): Authenticator {
    return {
      name: 'service-account',
      authenticate: async (req: IncomingMessage) => {
        const token = bearerToken(req);
        if (token === undefined) return undefined;
        return this.verify(token);
      },
    };
  }
}
