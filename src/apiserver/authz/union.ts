/**
 * The union authorizer: members of system:masters are always allowed (upstream's privileged group);
 * otherwise each authorizer is asked in order until one allows or explicitly denies. When none allows,
 * the watch cache is brought up to date with the store and the question asked once more, so a Role or
 * RoleBinding (or a pod binding) written just before the request is seen.
 */
import type { UserInfo } from '../authn/index.js';
import type { WatchCache } from '../watch-cache.js';
import { authorizerByName, PRIVILEGED_GROUP, type AuthorizationAttributes, type Authorizer, type AuthorizerContext, type Decision, type RulesReview } from './index.js';
import type { PolicyRule } from './rbac/rules.js';

export class UnionAuthorizer implements Authorizer {
  readonly name: string;
  private cache?: WatchCache;

  constructor(readonly members: Authorizer[]) {
    this.name = members.map((m) => m.name).join(',');
  }

  attach(ctx: AuthorizerContext): void {
    this.cache = ctx.cache;
    for (const m of this.members) m.attach?.(ctx);
  }

  private async ask(a: AuthorizationAttributes): Promise<Decision> {
    const reasons: string[] = [];
    for (const m of this.members) {
      const d = await m.authorize(a);
      if (d.allowed || d.denied) return d;
      if (d.reason) reasons.push(d.reason);
    }
    return { allowed: false, reason: reasons.join('\n') };
  }

  async authorize(a: AuthorizationAttributes): Promise<Decision> {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true, reason: '' };
    const d = await this.ask(a);
    if (d.allowed || d.denied || !this.cache) return d;
    try {
      await this.cache.sync();
    } catch {
      return d;
    }
    return this.ask(a);
  }

  rulesFor(user: UserInfo, namespace: string): RulesReview {
    const out: RulesReview = { resourceRules: [], nonResourceRules: [], incomplete: false };
    for (const m of this.members) {
      if (!m.rulesFor) continue;
      const r = m.rulesFor(user, namespace);
      out.resourceRules.push(...r.resourceRules);
      out.nonResourceRules.push(...r.nonResourceRules);
      out.incomplete ||= r.incomplete;
    }
    return out;
  }

  resolveRules(user: UserInfo, namespace: string): PolicyRule[] {
    return this.members.flatMap((m) => m.resolveRules?.(user, namespace) ?? []);
  }
}

/** The authorizer for upstream-style modes, e.g. ['Node', 'RBAC'] (the default) or ['AlwaysAllow']. */
export function authorizerForModes(modes: string[] = ['Node', 'RBAC']): Authorizer {
  return new UnionAuthorizer(modes.map((m) => authorizerByName(m)));
}
