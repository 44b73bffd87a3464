// Certificate and key primitives on Node's crypto: keys are generated and signatures made by
// node:crypto, the certificate's bytes are laid out by der.ts.
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString, boolean, children, explicit, implicitPrimitive, integer, namedBits, nullValue, octetString, oid,
  readElement, sequence, set, smallInteger, time, utf8String,
} from './der.js';

export interface SubjectSpec {
  commonName: string;
  organizations?: string[];
}

export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

/** The signer of issued certificates: the CA certificate and its private key, both PEM. */
export interface Signer {
  certPem: string;
  keyPem: string;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** KeyUsage bits (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

interface NewKey {
  privateKey: KeyObject;
  /** SubjectPublicKeyInfo, DER. */
  spki: Buffer;
  /** PKCS#8 PEM ("PRIVATE KEY"), accepted by Node, OpenSSL and Go's tls.X509KeyPair. */
  privateKeyPem: string;
}

function generateKey(): NewKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** The signature algorithm for a signing key: ECDSA with the curve's hash, or RSA PKCS#1 v1.5 with SHA-256. */
function signatureAlgorithm(key: KeyObject): { hash: string; identifier: Buffer } {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const alg = { prime256v1: ['sha256', '1.2.840.10045.4.3.2'], secp384r1: ['sha384', '1.2.840.10045.4.3.3'], secp521r1: ['sha512', '1.2.840.10045.4.3.4'] }[curve];
    if (!alg) throw new Error(`unsupported EC curve ${curve || '(unknown)'} for a CA key`);
    return { hash: alg[0]!, identifier: sequence(oid(alg[1]!)) };
  }
  if (key.asymmetricKeyType === 'rsa') return { hash: 'sha256', identifier: sequence(oid('1.2.840.113549.1.1.11'), nullValue()) };
  throw new Error(`unsupported CA key type ${key.asymmetricKeyType ?? '(unknown)'}`);
}

/** RFC 5280 key identifier: SHA-1 of the subjectPublicKey bits of a SubjectPublicKeyInfo. */
function keyIdentifier(spki: Buffer): Buffer {
  const [, bits] = children(readElement(spki));
  return createHash('sha1').update(bits!.contents.subarray(1)).digest();
}

function subjectName(s: SubjectSpec): Buffer {
  const rdn = (type: string, value: string) => set(sequence(oid(type), utf8String(value)));
  return sequence(...(s.organizations ?? []).map((o) => rdn(OID.organization, o)), rdn(OID.commonName, s.commonName));
}

/** The subject Name of a certificate, as its raw DER (an issued certificate's issuer must match it byte for byte). */
function rawSubject(cert: X509Certificate): Buffer {
  const tbs = children(readElement(cert.raw))[0]!;
  const fields = children(tbs);
  // [0] version, serialNumber, signature, issuer, validity, subject
  const offset = fields[0]!.tag === 0xa0 ? 1 : 0;
  return fields[offset + 4]!.raw;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function validity(days: number): Buffer {
  const now = Date.now();
  // Backdate a little so that a client whose clock is slightly behind accepts a fresh certificate.
  return sequence(time(new Date(now - 5 * 60_000)), time(new Date(now + days * 86_400_000)));
}

function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and never shortened by DER encoding
  return integer(bytes);
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: an embedded dotted quad becomes two groups, "::" the missing zero groups.
  const text = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

function certificate(tbsFields: Buffer[], signingKey: KeyObject): string {
  const alg = signatureAlgorithm(signingKey);
  const tbs = sequence(explicit(0, smallInteger(2)), randomSerial(), alg.identifier, ...tbsFields);
  const signature = sign(alg.hash, tbs, signingKey);
  return toPem('CERTIFICATE', sequence(tbs, alg.identifier, bitString(signature)));
}

/** A self-signed CA certificate with a fresh P-256 key. */
export async function createCa(commonName: string, days: number): Promise<IssuedCert> {
  const key = generateKey();
  const name = subjectName({ commonName });
  const certPem = certificate([
    name, validity(days), name, key.spki,
    explicit(3, sequence(
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      extension(OID.keyUsage, true, namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign, KEY_USAGE.digitalSignature])),
      extension(OID.subjectKeyId, false, octetString(keyIdentifier(key.spki))),
    )),
  ], key.privateKey);
  return { certPem: certPem + '\n', keyPem: key.privateKeyPem };
}

export interface LeafSpec extends SubjectSpec {
  days: number;
  usage: 'server' | 'client';
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** A leaf certificate with a fresh P-256 key, signed by the CA. */
export async function issueLeaf(ca: Signer, spec: LeafSpec): Promise<IssuedCert> {
  const caCert = new X509Certificate(ca.certPem);
  const signingKey = createPrivateKey(ca.keyPem);
  const key = generateKey();
  const caSpki = createPublicKey(ca.certPem).export({ type: 'spki', format: 'der' });
  const extensions = [
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature])),
    extension(OID.extKeyUsage, false, sequence(oid(spec.usage === 'server' ? OID.serverAuth : OID.clientAuth))),
    extension(OID.authorityKeyId, false, sequence(implicitPrimitive(0, keyIdentifier(caSpki)))),
    extension(OID.subjectKeyId, false, octetString(keyIdentifier(key.spki))),
  ];
  const names = [
    ...(spec.dnsNames ?? []).map((n) => implicitPrimitive(2, Buffer.from(n, 'ascii'))),
    ...(spec.ipAddresses ?? []).map((ip) => implicitPrimitive(7, ipBytes(ip))),
  ];
  if (names.length > 0) extensions.push(extension(OID.subjectAltName, false, sequence(...names)));
  const certPem = certificate([
    rawSubject(caCert), validity(spec.days), subjectName(spec), key.spki, explicit(3, sequence(...extensions)),
  ], signingKey);
  return { certPem: certPem + '\n', keyPem: key.privateKeyPem };
}
