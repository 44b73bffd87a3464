/** RBAC rule and subject checks shared by Role, ClusterRole, RoleBinding and ClusterRoleBinding. */
import {
  FieldPath,
  invalid,
  nameIsDNSSubdomain,
  nameIsValidPathSegment,
  notSupported,
  required,
  type FieldError,
} from '../../../machinery/validation/index.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

export function validatePolicyRules(rules: unknown, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  arr(rules).forEach((r, i) => {
    const p = FieldPath.root('rules').index(i);
    if (arr(r?.verbs).length === 0) errs.push(required(p.child('verbs'), 'verbs must contain at least one value'));
    if (arr(r?.nonResourceURLs).length > 0) {
      if (namespaced) errs.push(invalid(p.child('nonResourceURLs'), r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (arr(r.apiGroups).length || arr(r.resources).length || arr(r.resourceNames).length) {
        errs.push(invalid(p.child('nonResourceURLs'), r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (arr(r?.apiGroups).length === 0) errs.push(required(p.child('apiGroups'), 'resource rules must supply at least one api group'));
    if (arr(r?.resources).length === 0) errs.push(required(p.child('resources'), 'resource rules must supply at least one resource'));
  });
  return errs;
}

export function defaultBinding(b: any): void {
  if (b.roleRef && typeof b.roleRef === 'object' && !b.roleRef.apiGroup) b.roleRef.apiGroup = RBAC_GROUP;
  for (const s of arr(b.subjects)) {
    if (!s || typeof s !== 'object' || s.apiGroup) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}

export function validateBinding(b: any, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = b?.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported(FieldPath.root('roleRef', 'apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported(FieldPath.root('roleRef', 'kind'), ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required(FieldPath.root('roleRef', 'name')));
  else for (const m of nameIsValidPathSegment(String(ref.name), false)) errs.push(invalid(FieldPath.root('roleRef', 'name'), ref.name, m));
  arr(b?.subjects).forEach((s, i) => {
    const p = FieldPath.root('subjects').index(i);
    if (!s?.name) errs.push(required(p.child('name')));
    switch (s?.kind) {
      case 'ServiceAccount':
        if (s.name) for (const m of nameIsDNSSubdomain(String(s.name), false)) errs.push(invalid(p.child('name'), s.name, m));
        if (s.apiGroup) errs.push(notSupported(p.child('apiGroup'), s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(required(p.child('namespace')));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(p.child('apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(p.child('kind'), s?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

export function validateRoleRefUnchanged(b: any, old: any): FieldError[] {
  const a = b?.roleRef ?? {};
  const o = old?.roleRef ?? {};
  if (a.apiGroup === o.apiGroup && a.kind === o.kind && a.name === o.name) return [];
  return [invalid('roleRef', { apiGroup: a.apiGroup ?? '', kind: a.kind ?? '', name: a.name ?? '' }, 'cannot change roleRef')];
}
