/** rbac.authorization.k8s.io/v1 RoleBinding: roleRef required and immutable (`cannot change roleRef`). */
import { nameIsValidPathSegment } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { defaultBinding, validateBinding, validateRoleRefUnchanged } from './rules.js';

export const roleBindingStrategy: KindStrategy = {
  nameValidator: nameIsValidPathSegment,
  defaults: defaultBinding,
  validate: (b: any) => validateBinding(b, true),
  validateUpdate: validateRoleRefUnchanged,
};
