// The authentication contract shared by every authenticator.
import type { IncomingMessage } from 'node:http';

/** Who made a request, as authorization and audit see it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/**
 * Turns a request into a user. Returns undefined when the request carries no credential of this kind
 * ("not mine"); throws AuthenticationError when it carries one that is invalid.
 */
export interface Authenticator {
  name: string;
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** A credential was presented but is not valid. The message is for logs; clients only see "Unauthorized". */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

export const GROUP_AUTHENTICATED = 'system:authenticated';
export const USER_ANONYMOUS = 'system:anonymous';
