/** rbac.authorization.k8s.io/v1 Role: path-segment names; every rule has verbs, groups and resources. */
import { nameIsValidPathSegment } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { validatePolicyRules } from './rules.js';

export const roleStrategy: KindStrategy = {
  nameValidator: nameIsValidPathSegment,
  validate: (role: any) => validatePolicyRules(role?.rules, true),
};
