// Runs the configured authenticators in order; the first that recognises the request decides the user.
import type { IncomingMessage } from 'node:http';
import { AuthenticationError, GROUP_AUTHENTICATED, USER_ANONYMOUS } from './types.js';
import type { Authenticator, UserInfo } from './types.js';

/** The Status body of a 401 response, as the Kubernetes API server sends it. */
export function unauthorizedStatus() {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Unauthorized',
    reason: 'Unauthorized',
    code: 401,
  } as const;
}

/** No authenticator accepted the request. The API server answers 401 with `status`. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
  readonly code = 401;
  readonly status = unauthorizedStatus();
  /** Why presented credentials were rejected (for logs, never sent to the client). */
  readonly causes: Error[];
  constructor(causes: Error[] = []) {
    super('Unauthorized');
    this.causes = causes;
  }
}

/**
 * Authenticates `req` with the first authenticator that returns a user. An authenticator that rejects a
 * presented credential does not stop the others (a request may carry a bad client certificate and a good
 * token). Every authenticated user except system:anonymous is in group system:authenticated.
 * Throws UnauthorizedError when no authenticator returns a user.
 */
export async function authenticateRequest(req: IncomingMessage, authenticators: readonly Authenticator[]): Promise<UserInfo> {
  const causes: Error[] = [];
  for (const a of authenticators) {
    let user: UserInfo | undefined;
    try {
      user = await a.authenticate(req);
    } catch (err) {
      const e = err instanceof Error ? err : new AuthenticationError(String(err));
      causes.push(e instanceof AuthenticationError ? e : new AuthenticationError(`${a.name}: ${e.message}`, { cause: e }));
      continue;
    }
    if (user) return withAuthenticatedGroup(user);
  }
  throw new UnauthorizedError(causes);
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = [...new Set(user.groups)];
  if (user.username !== USER_ANONYMOUS && !groups.includes(GROUP_AUTHENTICATED)) groups.push(GROUP_AUTHENTICATED);
  return { ...user, groups };
}
