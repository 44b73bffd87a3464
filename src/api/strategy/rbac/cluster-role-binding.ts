/** rbac.authorization.k8s.io/v1 ClusterRoleBinding: roleRef must be a ClusterRole and is immutable. */
import { nameIsValidPathSegment } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultBinding, validateBinding, validateRoleRefUnchanged } from './rules.js';

export const clusterRoleBindingStrategy: KindStrategy = {
  nameValidator: nameIsValidPathSegment,
  defaults: defaultBinding,
  validate: (b: any) => validateBinding(b, false),
  validateUpdate: validateRoleRefUnchanged,
};
