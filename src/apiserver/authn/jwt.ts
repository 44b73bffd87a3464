// Compact JWS (RFC 7515) with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), as ServiceAccount tokens use.
// Node built-ins only.
import { createHash, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** The key id upstream puts in `kid`: base64url of the SHA-256 of the public key's DER (SPKI). */
export function keyId(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ type: 'spki', format: 'der' });
  return b64url(createHash('sha256').update(der).digest());
}

/** Signs claims with an RSA private key (PEM), header {alg: RS256, kid}. */
export function signJwt(claims: JwtClaims, privateKeyPem: string, kid: string): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${b64url(signer.sign(privateKeyPem))}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWS without checking its signature; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isRecord(header) || !isRecord(claims)) return undefined;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

/** Whether the RS256 signature of `jwt` verifies with any of `publicKeys`. */
export function verifyJwtSignature(jwt: DecodedJwt, publicKeys: readonly KeyObject[]): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  for (const key of publicKeys) {
    const v = createVerify('RSA-SHA256');
    v.update(jwt.signingInput);
    try {
      if (v.verify(key, jwt.signature)) return true;
    } catch {
      // a key of another type: try the next one
    }
  }
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
