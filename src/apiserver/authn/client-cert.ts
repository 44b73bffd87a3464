// X.509 client certificate authentication: user = CN, groups = O values of a peer certificate that the
// TLS layer verified against the client CA.
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { AuthenticationError, GROUP_AUTHENTICATED } from './types.js';
import type { Authenticator, UserInfo } from './types.js';

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The server must ask for client certificates (`requestCert: true`, `ca` = the client CA) and should not
 * reject unverified ones at the TLS layer (`rejectUnauthorized: false`) so that other authenticators can
 * still run and the client gets a proper 401.
 */
export function createClientCertAuthenticator(): Authenticator {
  return {
    name: 'client-cert',
    authenticate(req: IncomingMessage): UserInfo | undefined {
      const socket = req.socket as Partial<TLSSocket> | undefined;
      if (!socket?.encrypted || typeof socket.getPeerCertificate !== 'function') return undefined;
      const cert: PeerCertificate | undefined = socket.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0) return undefined; // no certificate presented
      if (!socket.authorized) {
        throw new AuthenticationError(`client certificate rejected: ${String(socket.authorizationError ?? 'not verified')}`);
      }
      const eku = cert.ext_key_usage;
      if (eku && !eku.includes(EKU_CLIENT_AUTH) && !eku.includes(EKU_ANY)) {
        throw new AuthenticationError('client certificate rejected: not valid for client authentication');
      }
      const username = values(cert.subject?.CN)[0];
      if (!username) return undefined; // a verified certificate without a CN names no user
      const groups = [...new Set(values(cert.subject?.O)), GROUP_AUTHENTICATED];
      return { username, groups };
    },
  };
}
