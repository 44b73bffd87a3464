/** rbac.authorization.k8s.io/v1 ClusterRole: like Role, and rules may name non-resource URLs. */
import { nameIsValidPathSegment } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { validatePolicyRules } from './rules.js';

export const clusterRoleStrategy: KindStrategy = {
  nameValidator: nameIsValidPathSegment,
  validate: (role: any) => validatePolicyRules(role?.rules, false),
};
