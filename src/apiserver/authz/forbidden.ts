/** The 403 Status of a request an authorizer refused, worded as upstream's API server words it. */
import { StatusError } from '../status.js';
import type { AuthorizationAttributes } from './index.js';

export function forbiddenMessage(a: AuthorizationAttributes): string {
  const user = a.user.username;
  if (!a.isResourceRequest) return `User "${user}" cannot ${a.verb} path "${a.path ?? ''}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.group ?? ''}" ${where}`;
}

/** `pods "x" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default"[: reason]`. */
export function forbiddenError(a: AuthorizationAttributes, reason = ''): StatusError {
  const msg = `${forbiddenMessage(a)}${reason ? `: ${reason}` : ''}`;
  if (!a.isResourceRequest) return new StatusError(403, 'Forbidden', `forbidden: ${msg}`);
  const gr = a.group ? `${a.resource}.${a.group}` : a.resource ?? '';
  const details: Record<string, string> = {};
  if (a.name) details.name = a.name;
  if (a.group) details.group = a.group;
  details.kind = a.resource ?? '';
  return new StatusError(403, 'Forbidden', a.name ? `${gr} "${a.name}" is forbidden: ${msg}` : `${gr} is forbidden: ${msg}`, details as any);
}
