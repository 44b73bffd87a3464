// Certificate and key primitives on top of @peculiar/x509 and Node's WebCrypto.
import { createPrivateKey, webcrypto } from 'node:crypto';
import { installReflectMetadataShim } from './reflect-shim.js';

type X509Module = typeof import('@peculiar/x509');

let x509Module: Promise<X509Module> | undefined;

/** Loads @peculiar/x509 after making sure the Reflect metadata API it needs is present. */
export function loadX509(): Promise<X509Module> {
  if (!x509Module) {
    installReflectMetadataShim();
    x509Module = import('@peculiar/x509').then((m) => {
      m.cryptoProvider.set(webcrypto as unknown as Crypto);
      return m;
    });
  }
  return x509Module;
}

const subtle = webcrypto.subtle;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** PKCS#8 PEM ("PRIVATE KEY"), accepted by Node, OpenSSL and Go's tls.X509KeyPair. */
  privateKeyPem: string;
}

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

function toPem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export async function generateKeyPair(): Promise<KeyPair> {
  const keys = (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { privateKey: keys.privateKey, publicKey: keys.publicKey, privateKeyPem: toPem('PRIVATE KEY', pkcs8) };
}

/** Imports a PEM private key (PKCS#8, SEC1 "EC PRIVATE KEY" or PKCS#1 RSA) as a WebCrypto signing key. */
export async function importSigningKey(pem: string): Promise<{ key: CryptoKey; algorithm: EcdsaParams | RsaHashedImportParams }> {
  const keyObject = createPrivateKey(pem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const details = keyObject.asymmetricKeyDetails ?? {};
  let importAlg: EcKeyImportParams | RsaHashedImportParams;
  let signAlg: EcdsaParams | RsaHashedImportParams;
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[details.namedCurve ?? ''];
    if (!curve) throw new Error(`unsupported EC curve ${details.namedCurve ?? '(unknown)'} for a CA key`);
    importAlg = { name: 'ECDSA', namedCurve: curve };
    signAlg = { name: 'ECDSA', hash: curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512' };
  } else if (keyObject.asymmetricKeyType === 'rsa') {
    importAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    signAlg = importAlg;
  } else {
    throw new Error(`unsupported CA key type ${keyObject.asymmetricKeyType ?? '(unknown)'}`);
  }
  const key = await subtle.importKey('pkcs8', der, importAlg, false, ['sign']);
  return { key, algorithm: signAlg };
}

function subjectName(s: SubjectSpec): Record<string, string[]>[] {
  const name: Record<string, string[]>[] = [];
  for (const o of s.organizations ?? []) name.push({ O: [o] });
  name.push({ CN: [s.commonName] });
  return name;
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  // Backdate a little so that a client whose clock is slightly behind accepts a fresh certificate.
  return { notBefore: new Date(now - 5 * 60_000), notAfter: new Date(now + days * 86_400_000) };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and never shortened by DER encoding
  return Buffer.from(bytes).toString('hex');
}

/** A self-signed CA certificate with a fresh P-256 key. */
export async function createCa(commonName: string, days: number): Promise<IssuedCert> {
  const x509 = await loadX509();
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName({ commonName }),
    ...validity(days),
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: keys.privateKeyPem };
}

export interface LeafSpec extends SubjectSpec {
  days: number;
  usage: 'server' | 'client';
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** A leaf certificate with a fresh P-256 key, signed by the CA. */
export async function issueLeaf(ca: Signer, spec: LeafSpec): Promise<IssuedCert> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const signer = await importSigningKey(ca.keyPem);
  const keys = await generateKeyPair();
  const extensions: import('@peculiar/x509').Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([spec.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const names = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(spec),
    issuer: caCert.subjectName,
    ...validity(spec.days),
    publicKey: keys.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: keys.privateKeyPem };
}
