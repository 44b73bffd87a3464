/**
 * Node's socket errors worded the way Go's net package words them, since probe output reaches
 * users in events ("Readiness probe failed: dial tcp 10.0.0.5:80: connect: connection refused").
 */

const CONNECT_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** A failed TCP connect to `addr` (host:port), as Go's net.Dial error text. */
export function dialErrorText(err: unknown, addr: string, host: string): string {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (code in CONNECT_ERRNO) return `dial tcp ${addr}: connect: ${CONNECT_ERRNO[code]}`;
  if (code === 'ETIMEDOUT' || code === 'DIAL_TIMEOUT') return `dial tcp ${addr}: i/o timeout`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${host}: no such host`;
  return `dial tcp ${addr}: ${e?.message ?? String(err)}`;
}

/** An error after the connection was made (reset, closed early), as Go's transport reports it. */
export function transportErrorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNRESET' && /socket hang up/i.test(e.message)) return 'EOF';
  if (e?.code === 'ECONNRESET') return 'read: connection reset by peer';
  if (e?.code === 'EPIPE') return 'write: broken pipe';
  if (e?.code === 'HPE_INVALID_CONSTANT' || e?.code?.startsWith?.('HPE_')) return 'malformed HTTP response';
  if (/wrong version number|packet length too long|record layer failure/i.test(e?.message ?? '')) {
    return 'http: server gave HTTP response to HTTPS client';
  }
  return e?.message ?? String(err);
}

/** True for errors that happened while connecting (before any byte was exchanged). */
export function isConnectError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  return code in CONNECT_ERRNO || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'DIAL_TIMEOUT';
}
