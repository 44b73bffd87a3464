/**
 * apiserver/authz: authorizers decide whether a user may do a verb on a resource or path.
 * Owns the Authorizer contract, RBAC (rbac/), the Node authorizer (node.ts), the union that runs
 * them after the system:masters short-circuit (union.ts), and the bootstrap roles (bootstrap/).
 * May import api/, machinery/, ../authn, ../rest/codec and ../watch-cache (reads, never writes, the cache).
 */
import type { UserInfo } from '../authn/index.js';
import type { WatchCache } from '../watch-cache.js';
import { NodeAuthorizer } from './node.js';
import { RbacAuthorizer } from './rbac/authorizer.js';
import type { PolicyRule } from './rbac/rules.js';

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
  /** An explicit deny: later authorizers are not asked. */
  denied?: boolean;
  reason: string;
}

export interface RulesReview {
  resourceRules: unknown[];
  nonResourceRules: unknown[];
  incomplete: boolean;
  evaluationError?: string;
}

/** What an authorizer may read: the API server's watch cache (handed over once it is loaded). */
export interface AuthorizerContext {
  cache: WatchCache;
}

export interface Authorizer {
  name: string;
  authorize(a: AuthorizationAttributes): Decision | Promise<Decision>;
  /** What the user may do in a namespace, for SelfSubjectRulesReview. */
  rulesFor?(user: UserInfo, namespace: string): RulesReview;
  /** The RBAC rules that apply to the user in a namespace ("" = cluster-wide only), for the escalation check. */
  resolveRules?(user: UserInfo, namespace: string): PolicyRule[];
  /** Called by the API server once its watch cache is loaded, before it serves requests. */
  attach?(ctx: AuthorizerContext): void;
}

/** Members of this group may do anything (upstream's privileged group short-circuit). */
export const PRIVILEGED_GROUP = 'system:masters';

/** Allows every authenticated user: only for setups that opt out of RBAC (authorizationMode AlwaysAllow). */
export const alwaysAllowAuthenticated: Authorizer = {
  name: 'AlwaysAllowAuthenticated',
  authorize(a) {
    const ok = a.user.groups.includes('system:authenticated') || a.user.groups.includes(PRIVILEGED_GROUP);
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

export type AuthorizerFactory = () => Authorizer;

const FACTORIES = new Map<string, AuthorizerFactory>([
  ['AlwaysAllow', () => alwaysAllowAuthenticated],
  [alwaysAllowAuthenticated.name, () => alwaysAllowAuthenticated],
  ['RBAC', () => new RbacAuthorizer()],
  ['Node', () => new NodeAuthorizer()],
]);

export function registerAuthorizer(name: string, factory: AuthorizerFactory): void {
  FACTORIES.set(name, factory);
}

/** A new authorizer of the named kind (RBAC, Node, AlwaysAllow). */
export function authorizerByName(name: string): Authorizer {
  const f = FACTORIES.get(name);
  if (!f) throw new Error(`unknown authorizer ${name} (known: ${[...FACTORIES.keys()].sort().join(', ')})`);
  return f();
}

export { RbacAuthorizer } from './rbac/authorizer.js';
export { NodeAuthorizer, nodeNameOf, NODES_GROUP, NODE_USER_PREFIX, NODE_LEASE_NAMESPACE } from './node.js';
export type { PolicyRule } from './rbac/rules.js';
