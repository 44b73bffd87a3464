/**
 * The RBAC authorizer: Roles, ClusterRoles, RoleBindings and ClusterRoleBindings read from the API
 * server's watch cache, bindings indexed by subject (user name, group; ServiceAccount subjects by their
 * user name system:serviceaccount:NS:NAME). Allows when any rule of a role bound to the user matches;
 * otherwise has no opinion (the request is then forbidden unless another authorizer allows it).
 */
import type { UserInfo } from '../../authn/index.js';
import type { KObject } from '../../rest/codec.js';
import { CachedObjects } from '../cached-objects.js';
import type { AuthorizationAttributes, Authorizer, AuthorizerContext, Decision, RulesReview } from '../index.js';
import { normalizeRule, ruleAllows, type PolicyRule } from './rules.js';

const RBAC_PREFIX = '/registry/rbac.authorization.k8s.io/';
const SA_PREFIX = 'system:serviceaccount:';
/** Rules of a role object as read from the cache (objects there are shared and never mutated). */
const normalized = new WeakMap<KObject, PolicyRule[]>();

interface BindingRef {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace: string;
  roleKind: string;
  roleName: string;
  /** How the subject was named, for the reason text: `User "bob"`. */
  subject: string;
}

/** The index key of a subject: users (and service accounts, by their user name) and groups. */
function subjectKeys(s: any, bindingNamespace: string): { key: string; text: string } | undefined {
  if (!s || typeof s.name !== 'string') return undefined;
  switch (s.kind) {
    case 'User':
      return { key: `u:${s.name}`, text: `User "${s.name}"` };
    case 'Group':
      return { key: `g:${s.name}`, text: `Group "${s.name}"` };
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      if (!ns) return undefined;
      return { key: `u:${SA_PREFIX}${ns}:${s.name}`, text: `ServiceAccount "${s.name}/${ns}"` };
    }
    default:
      return undefined;
  }
}

function userKeys(user: UserInfo): string[] {
  return [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)];
}

export class RbacAuthorizer implements Authorizer {
  readonly name = 'RBAC';
  private roles?: CachedObjects;
  private clusterRoles?: CachedObjects;
  private roleBindings?: CachedObjects;
  private clusterRoleBindings?: CachedObjects;
  private indexVersion = '';
  /** subject key → cluster role bindings */
  private clusterIndex = new Map<string, BindingRef[]>();
  /** namespace → subject key → role bindings */
  private namespaceIndex = new Map<string, Map<string, BindingRef[]>>();

  attach(ctx: AuthorizerContext): void {
    this.roles = new CachedObjects(ctx.cache, `${RBAC_PREFIX}roles/`);
    this.clusterRoles = new CachedObjects(ctx.cache, `${RBAC_PREFIX}clusterroles/`);
    this.roleBindings = new CachedObjects(ctx.cache, `${RBAC_PREFIX}rolebindings/`);
    this.clusterRoleBindings = new CachedObjects(ctx.cache, `${RBAC_PREFIX}clusterrolebindings/`);
  }

  private index(): void {
    const crb = this.clusterRoleBindings;
    const rb = this.roleBindings;
    if (!crb || !rb) return;
    crb.touch();
    rb.touch();
    const version = `${crb.version}/${rb.version}`;
    if (version === this.indexVersion) return;
    this.indexVersion = version;
    this.clusterIndex = new Map();
    this.namespaceIndex = new Map();
    const add = (map: Map<string, BindingRef[]>, b: KObject, kind: BindingRef['kind'], ns: string): void => {
      const ref = b.roleRef ?? {};
      for (const s of Array.isArray(b.subjects) ? b.subjects : []) {
        const k = subjectKeys(s, ns);
        if (!k) continue;
        let list = map.get(k.key);
        if (!list) map.set(k.key, (list = []));
        list.push({ kind, name: b.metadata.name, namespace: ns, roleKind: String(ref.kind ?? ''), roleName: String(ref.name ?? ''), subject: k.text });
      }
    };
    for (const b of crb.values()) add(this.clusterIndex, b, 'ClusterRoleBinding', '');
    for (const b of rb.values()) {
      const ns = b.metadata.namespace ?? '';
      let m = this.namespaceIndex.get(ns);
      if (!m) this.namespaceIndex.set(ns, (m = new Map()));
      add(m, b, 'RoleBinding', ns);
    }
  }

  private rulesOf(ref: BindingRef): PolicyRule[] {
    let role: KObject | undefined;
    if (ref.roleKind === 'ClusterRole') role = this.clusterRoles?.get(`${RBAC_PREFIX}clusterroles/${ref.roleName}`);
    else if (ref.roleKind === 'Role' && ref.kind === 'RoleBinding') role = this.roles?.get(`${RBAC_PREFIX}roles/${ref.namespace}/${ref.roleName}`);
    if (!role || !Array.isArray(role.rules)) return [];
    let rules = normalized.get(role);
    if (!rules) normalized.set(role, (rules = role.rules.map(normalizeRule)));
    return rules;
  }

  /** The bindings that apply to the user: cluster-wide ones, then those of the namespace. */
  private bindingsFor(user: UserInfo, namespace: string): BindingRef[] {
    this.index();
    const out: BindingRef[] = [];
    const keys = userKeys(user);
    for (const k of keys) out.push(...(this.clusterIndex.get(k) ?? []));
    if (namespace) {
      const m = this.namespaceIndex.get(namespace);
      if (m) for (const k of keys) out.push(...(m.get(k) ?? []));
    }
    return out;
  }

  authorize(a: AuthorizationAttributes): Decision {
    for (const b of this.bindingsFor(a.user, a.isResourceRequest ? a.namespace ?? '' : '')) {
      if (this.rulesOf(b).some((r) => ruleAllows(a, r))) {
        const where = b.kind === 'RoleBinding' ? ` in namespace "${b.namespace}"` : '';
        return { allowed: true, reason: `RBAC: allowed by ${b.kind} "${b.name}${b.kind === 'RoleBinding' ? `/${b.namespace}` : ''}" of ${b.roleKind} "${b.roleName}" to ${b.subject}${where}` };
      }
    }
    return { allowed: false, reason: '' };
  }

  resolveRules(user: UserInfo, namespace: string): PolicyRule[] {
    return this.bindingsFor(user, namespace).flatMap((b) => this.rulesOf(b));
  }

  rulesFor(user: UserInfo, namespace: string): RulesReview {
    const resourceRules: unknown[] = [];
    const nonResourceRules: unknown[] = [];
    for (const r of this.resolveRules(user, namespace)) {
      if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
      else {
        const rr: Record<string, unknown> = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] };
        if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
        resourceRules.push(rr);
      }
    }
    return { resourceRules, nonResourceRules, incomplete: false };
  }
}
