/**
 * Impersonation (upstream's WithImpersonation filter): the Impersonate-User, Impersonate-Group,
 * Impersonate-Uid and Impersonate-Extra-<key> headers (kubectl --as, --as-group, --as-uid) turn the
 * request into one made by another user, after the authorizer allows the verb `impersonate` on each
 * requested identity: users / serviceaccounts (namespaced) / groups in API group "", uids and
 * userextras/<key> in authentication.k8s.io. The authorizer is passed in (authn does not import authz).
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, type StatusError } from '../status.js';
import { GROUP_AUTHENTICATED, USER_ANONYMOUS, type UserInfo } from './types.js';

export interface ImpersonationCheck {
  user: UserInfo;
  verb: 'impersonate';
  isResourceRequest: true;
  namespace: string;
  group: string;
  resource: string;
  subresource: string;
  name: string;
}

export type ImpersonationAuthorizer = (check: ImpersonationCheck) => Promise<{ allowed: boolean; reason: string }>;

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

function headerValues(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
}

/** Whether the request asks to impersonate anyone. */
export function wantsImpersonation(req: IncomingMessage): boolean {
  return Object.keys(req.headers).some((h) => h === 'impersonate-user' || h === 'impersonate-group' || h === 'impersonate-uid' || h.startsWith(EXTRA_PREFIX));
}

/**
 * The user the request acts as. Throws a 400 StatusError when impersonation headers come without
 * Impersonate-User, and `forbidden(check, reason)` when the requester may not impersonate an identity.
 */
export async function impersonate(
  req: IncomingMessage, requester: UserInfo, authorize: ImpersonationAuthorizer,
  forbidden: (check: ImpersonationCheck, reason: string) => StatusError,
): Promise<UserInfo> {
  const h = req.headers;
  const username = typeof h['impersonate-user'] === 'string' ? h['impersonate-user'] : Array.isArray(h['impersonate-user']) ? h['impersonate-user'][0] : undefined;
  const groups = (Array.isArray(h['impersonate-group']) ? h['impersonate-group'] : h['impersonate-group'] !== undefined ? [h['impersonate-group']] : []).filter((g) => g !== '');
  const uid = typeof h['impersonate-uid'] === 'string' ? h['impersonate-uid'] : undefined;
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(h)) {
    if (!name.startsWith(EXTRA_PREFIX)) continue;
    let key = name.slice(EXTRA_PREFIX.length);
    try {
      key = decodeURIComponent(key);
    } catch { /* keep it as sent */ }
    extra[key.toLowerCase()] = headerValues(value as string | string[] | undefined);
  }

  const checks: ImpersonationCheck[] = [];
  const base = { user: requester, verb: 'impersonate' as const, isResourceRequest: true as const, subresource: '' };
  if (!username) {
    if (groups.length || uid !== undefined || Object.keys(extra).length) {
      const what = [
        ...groups.map((g) => `{Group ${g}}`),
        ...Object.entries(extra).flatMap(([k, vs]) => vs.map((v) => `{UserExtra ${k}=${v}}`)),
        ...(uid !== undefined ? [`{UID ${uid}}`] : []),
      ];
      throw badRequest(`requested [${what.join(' ')}] without impersonating a user`);
    }
    return requester;
  }
  const outGroups: string[] = [];
  if (username.startsWith(SA_PREFIX) && username.split(':').length === 4) {
    const [, , ns, name] = username.split(':') as [string, string, string, string];
    checks.push({ ...base, namespace: ns, group: '', resource: 'serviceaccounts', name });
    // A ServiceAccount's groups are known; they are added only when no groups are requested (as upstream).
    if (!groups.length) outGroups.push('system:serviceaccounts', `system:serviceaccounts:${ns}`);
  } else {
    checks.push({ ...base, namespace: '', group: '', resource: 'users', name: username });
  }
  for (const g of groups) {
    checks.push({ ...base, namespace: '', group: '', resource: 'groups', name: g });
    if (!outGroups.includes(g)) outGroups.push(g);
  }
  for (const [k, vs] of Object.entries(extra)) {
    for (const v of vs) checks.push({ ...base, namespace: '', group: 'authentication.k8s.io', resource: 'userextras', subresource: k, name: v });
  }
  if (uid !== undefined) checks.push({ ...base, namespace: '', group: 'authentication.k8s.io', resource: 'uids', name: uid });

  for (const c of checks) {
    const d = await authorize(c);
    if (!d.allowed) throw forbidden(c, d.reason);
  }
  if (username === USER_ANONYMOUS) {
    if (!outGroups.includes('system:unauthenticated')) outGroups.push('system:unauthenticated');
  } else if (!outGroups.includes(GROUP_AUTHENTICATED)) outGroups.push(GROUP_AUTHENTICATED);
  const user: UserInfo = { username, groups: outGroups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
