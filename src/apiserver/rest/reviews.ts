/**
 * Review resources answered on the fly, never stored: SelfSubjectAccessReview,
 * SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview,
 * TokenReview.
 */
import type { IncomingMessage } from 'node:http';
import { apiVersionOf } from '../../api/resources.js';
import type { Authenticator, UserInfo } from '../authn/index.js';
import { authenticateRequest } from '../authn/index.js';
import { decodeJwt } from '../authn/jwt.js';
import type { ServiceAccountTokens } from '../authn/service-account.js';
import type { Authorizer } from '../authz/index.js';
import { decodeBody, readBody } from '../body.js';
import { badRequest, methodNotAllowed, StatusError } from '../status.js';
import { binding, } from './subresources.js';
import type { HandlerDeps } from './handlers.js';
import { sendJson, type Call } from './request.js';

export interface ReviewDeps {
  authorizer: Authorizer;
  authenticators: readonly Authenticator[];
  /** ServiceAccount tokens, checked against a TokenReview's own spec.audiences. */
  tokens?: ServiceAccountTokens;
}

const invalidReview = (kind: string, field: string, message: string): StatusError =>
  new StatusError(422, 'Invalid', `${kind}.authorization.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'authorization.k8s.io', kind, causes: [{ reason: 'FieldValueRequired', message, field }],
  });

export async function handleReview(d: HandlerDeps, rd: ReviewDeps, call: Call): Promise<void> {
  const r = call.resource;
  if (r.plural === 'bindings') return binding(d, call, '');
  if (call.info.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const { object } = decodeBody(await readBody(call.req), call.req.headers['content-type']);
  const review = (object ?? {}) as Record<string, any>;
  if (typeof review !== 'object' || Array.isArray(review)) throw badRequest(`the body of the request was not a ${r.kind} object`);
  const user = call.user!;
  const out = { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { creationTimestamp: null, ...(review.metadata ?? {}) }, spec: review.spec ?? {} } as Record<string, any>;
  switch (r.plural) {
    case 'selfsubjectaccessreviews':
      out.status = await access(rd, user, review.spec, r.kind);
      break;
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const spec = review.spec ?? {};
      if (!spec.user && !(spec.groups?.length)) throw invalidReview(r.kind, 'spec.user', 'Invalid value: "": at least one of user or group must be specified');
      if (r.plural === 'localsubjectaccessreviews' && spec.resourceAttributes && spec.resourceAttributes.namespace !== call.info.namespace) {
        throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${call.info.namespace}`);
      }
      out.status = await access(rd, { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra }, spec, r.kind);
      break;
    }
    case 'selfsubjectrulesreviews': {
      const ns = review.spec?.namespace ?? '';
      out.status = rd.authorizer.rulesFor?.(user, ns) ?? { resourceRules: [], nonResourceRules: [], incomplete: true };
      break;
    }
    case 'selfsubjectreviews':
      out.status = { userInfo: userInfoJson(user) };
      delete out.spec;
      break;
    case 'tokenreviews': {
      const token = review.spec?.token;
      if (!token) throw new StatusError(422, 'Invalid', 'TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.token' }] });
      const fake = { headers: { authorization: `Bearer ${token}` }, socket: {} } as unknown as IncomingMessage;
      const wanted: string[] = Array.isArray(review.spec?.audiences) && review.spec.audiences.length ? review.spec.audiences.map(String) : rd.tokens?.apiAudiences ?? [];
      try {
        // A ServiceAccount token is checked against the audiences the review asks for (default: the API's).
        const sa = rd.tokens ? await rd.tokens.verify(token, wanted) : undefined;
        const u = sa ? withAuthenticated(sa) : await authenticateRequest(fake, rd.authenticators);
        out.status = { authenticated: true, user: userInfoJson(u), audiences: sa ? audiencesOf(token).filter((a) => wanted.includes(a)) : review.spec?.audiences };
      } catch {
        out.status = { authenticated: false, user: {}, error: 'invalid bearer token' };
      }
      break;
    }
    default:
      throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  sendJson(call, 201, out);
}

function withAuthenticated(u: UserInfo): UserInfo {
  return u.groups.includes('system:authenticated') ? u : { ...u, groups: [...u.groups, 'system:authenticated'] };
}

function audiencesOf(token: string): string[] {
  const aud = decodeJwt(token)?.claims.aud;
  return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.map(String) : [];
}

function userInfoJson(u: UserInfo): Record<string, unknown> {
  const o: Record<string, unknown> = { username: u.username, groups: u.groups };
  if (u.uid) o.uid = u.uid;
  if (u.extra && Object.keys(u.extra).length) o.extra = u.extra;
  return o;
}

async function access(rd: ReviewDeps, user: UserInfo, spec: any, kind: string): Promise<Record<string, unknown>> {
  const ra = spec?.resourceAttributes;
  const nra = spec?.nonResourceAttributes;
  if (!ra && !nra) throw invalidReview(kind, 'spec.resourceAttributes', 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  if (ra && nra) throw invalidReview(kind, 'spec.resourceAttributes', 'Invalid value: "": cannot be specified in combination with nonResourceAttributes');
  const decision = await rd.authorizer.authorize(ra
    ? { user, verb: ra.verb ?? '', isResourceRequest: true, namespace: ra.namespace ?? '', group: ra.group ?? '', version: ra.version ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', name: ra.name ?? '' }
    : { user, verb: nra.verb ?? '', isResourceRequest: false, path: nra.path ?? '' });
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.denied) status.denied = true;
  if (decision.reason) status.reason = decision.reason;
  return status;
}
