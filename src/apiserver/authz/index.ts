/**
 * apiserver/authz: authorizers decide whether a user may do a verb on a resource or path.
 * Pluggable by name; until RBAC lands the one authorizer allows every authenticated user.
 */
import type { UserInfo } from '../authn/index.js';

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** For resource requests. */
  namespace?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  /** For non-resource requests. */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  denied?: boolean;
  reason: string;
}

export interface Authorizer {
  name: string;
  authorize(a: AuthorizationAttributes): Decision | Promise<Decision>;
  /** What the user may do in a namespace, for SelfSubjectRulesReview. */
  rulesFor?(user: UserInfo, namespace: string): { resourceRules: unknown[]; nonResourceRules: unknown[]; incomplete: boolean };
}

/** Allows every authenticated user: the policy until RBAC is in place. */
export const alwaysAllowAuthenticated: Authorizer = {
  name: 'AlwaysAllowAuthenticated',
  authorize(a) {
    const ok = a.user.groups.includes('system:authenticated') || a.user.groups.includes('system:masters');
    return ok ? { allowed: true, reason: '' } : { allowed: false, reason: 'not authenticated' };
  },
  rulesFor() {
    return {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    };
  },
};

const AUTHORIZERS = new Map<string, Authorizer>([[alwaysAllowAuthenticated.name, alwaysAllowAuthenticated]]);

export function registerAuthorizer(a: Authorizer): void {
  AUTHORIZERS.set(a.name, a);
}

export function authorizerByName(name: string): Authorizer {
  const a = AUTHORIZERS.get(name);
  if (!a) throw new Error(`unknown authorizer ${name}`);
  return a;
}
