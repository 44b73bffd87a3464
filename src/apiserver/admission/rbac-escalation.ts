/**
 * RBACEscalation: the checks upstream's RBAC REST storage makes on every create and update of a Role,
 * ClusterRole, RoleBinding or ClusterRoleBinding, so a user cannot grant what they do not hold:
 *  - a (Cluster)Role may only contain rules the user holds (through RBAC) in its namespace, unless the user
 *    may `escalate` it; an aggregationRule needs full (cluster-admin) authority;
 *  - a binding may only reference a role whose rules the user holds in the binding's namespace, unless the
 *    user may `bind` that role.
 * Members of system:masters and the API server itself (writes without a user) are exempt.
 */
import { PRIVILEGED_GROUP, type Authorizer } from '../authz/index.js';
import { compactRules, compactString, goQuoteList, normalizeRule, uncoveredRules, type PolicyRule } from '../authz/rbac/rules.js';
import { forbidden, notFound } from '../status.js';
import type { UserInfo } from '../authn/index.js';
import type { AdmissionAttributes, AdmissionPluginFactory } from './types.js';

const GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const rulesOf = (o: any): PolicyRule[] => (Array.isArray(o?.rules) ? o.rules.map(normalizeRule) : []);

function refused(a: AdmissionAttributes, why: string) {
  const gr = `${a.resource.plural}.${GROUP}`;
  return forbidden(a.name ? `${gr} "${a.name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`);
}

/** Fails unless `user` holds every rule of `rules` in `namespace` (upstream's ConfirmNoEscalation). */
function confirmNoEscalation(a: AdmissionAttributes, authorizer: Authorizer, user: UserInfo, namespace: string, rules: PolicyRule[]): void {
  const owner = authorizer.resolveRules?.(user, namespace) ?? [];
  const missing = uncoveredRules(owner, rules);
  if (!missing.length) return;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  throw refused(a, `user "${user.username}" (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`);
}

async function allowedTo(authorizer: Authorizer, user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
  const d = await authorizer.authorize({ user, verb, isResourceRequest: true, group: GROUP, version: 'v1', resource, subresource: '', namespace, name });
  return d.allowed;
}

export const rbacEscalation: AdmissionPluginFactory = (lookup, config) => ({
  name: 'RBACEscalation',
  async validate(a) {
    const authorizer = config.authorizer;
    const user = a.user;
    if (!authorizer || !user || a.resource.group !== GROUP || a.subresource) return;
    if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
    if (user.groups.includes(PRIVILEGED_GROUP)) return;
    const o = a.object as any;
    const old = a.oldObject as any;
    switch (a.resource.plural) {
      case 'roles':
      case 'clusterroles': {
        const same = old && JSON.stringify(old.rules ?? []) === JSON.stringify(o.rules ?? [])
          && JSON.stringify(old.aggregationRule ?? null) === JSON.stringify(o.aggregationRule ?? null);
        if (same) return;
        if (await allowedTo(authorizer, user, 'escalate', a.resource.plural, a.namespace, a.name)) return;
        if (a.resource.plural === 'clusterroles' && o.aggregationRule) {
          const missing = uncoveredRules(authorizer.resolveRules?.(user, '') ?? [], FULL_AUTHORITY);
          if (missing.length) throw refused(a, 'must have cluster-admin privileges to use the aggregationRule');
        }
        confirmNoEscalation(a, authorizer, user, a.namespace, rulesOf(o));
        return;
      }
      case 'rolebindings':
      case 'clusterrolebindings': {
        const same = old && JSON.stringify(old.roleRef ?? null) === JSON.stringify(o.roleRef ?? null)
          && JSON.stringify(old.subjects ?? []) === JSON.stringify(o.subjects ?? []);
        if (same) return;
        const ref = o.roleRef ?? {};
        const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
        const bindingNamespace = a.resource.plural === 'rolebindings' ? a.namespace : '';
        if (await allowedTo(authorizer, user, 'bind', roleResource, bindingNamespace, String(ref.name ?? ''))) return;
        const role = await lookup.get(GROUP, roleResource, ref.kind === 'Role' ? bindingNamespace : '', String(ref.name ?? ''));
        if (!role) throw notFound({ group: GROUP, resource: roleResource, name: String(ref.name ?? '') });
        confirmNoEscalation(a, authorizer, user, bindingNamespace, rulesOf(role));
        return;
      }
    }
  },
});
