// Cluster PKI on disk: create on first start, reuse later, re-issue leaves that no longer fit.
import { X509Certificate as NodeX509, createPrivateKey } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, issueLeaf } from './certs.js';
import type { IssuedCert } from './certs.js';
import { readIfExists, writeFileAtomic } from './files.js';
import { canonicalIp, missingSans, requiredSans } from './sans.js';
import type { SanSet } from './sans.js';

export interface Pki {
  /** The `pki` directory the files live in. */
  dir: string;
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** What this call created or re-issued (empty when everything was reused). */
  generated: Array<'ca' | 'server' | 'admin'>;
}

export interface EnsurePkiOptions {
  /** Extra DNS names and IP addresses for the serving certificate (e.g. listen addresses). */
  hosts: string[];
}

export const CA_COMMON_NAME = 'k8ts-ca';
export const SERVER_COMMON_NAME = 'kube-apiserver';
export const ADMIN_USER = 'admin';
export const ADMIN_GROUP = 'system:masters';
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
/** Leaf certificates this close to expiry are re-issued at start. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

const FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
} as const;

const CERT_MODE = 0o644;
const KEY_MODE = 0o600;

/**
 * Loads the cluster PKI from `dataDir/pki`, creating what is missing: a CA (`k8ts-ca`, 10 years), a serving
 * certificate for loopback, the host name, the in-cluster `kubernetes.default.svc` names and `opts.hosts`, and
 * an admin client certificate (CN `admin`, O `system:masters`). An existing CA is always kept; a leaf is
 * re-issued with the same CA when it was not signed by it, does not match its key, is about to expire, or
 * (serving certificate) lacks a SAN needed now.
 */
export async function ensurePki(dataDir: string, opts: EnsurePkiOptions): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = (f: string) => join(dir, f);
  const generated: Pki['generated'] = [];

  let ca = await loadPair(path(FILES.caCert), path(FILES.caKey));
  if (ca) {
    checkCa(ca, dir);
  } else {
    ca = await createCa(CA_COMMON_NAME, CA_DAYS);
    await savePair(ca, path(FILES.caCert), path(FILES.caKey));
    generated.push('ca');
  }

  const sans = requiredSans(opts.hosts);
  let server = await loadPair(path(FILES.serverCert), path(FILES.serverKey));
  if (!server || !(await leafUsable(server, ca.certPem, { usage: 'server', sans }))) {
    server = await issueLeaf(ca, { commonName: SERVER_COMMON_NAME, days: LEAF_DAYS, usage: 'server', ...sans });
    await savePair(server, path(FILES.serverCert), path(FILES.serverKey));
    generated.push('server');
  }

  let admin = await loadPair(path(FILES.adminCert), path(FILES.adminKey));
  if (!admin || !(await leafUsable(admin, ca.certPem, { usage: 'client', commonName: ADMIN_USER, organization: ADMIN_GROUP }))) {
    admin = await issueClientCert({ caCertPem: ca.certPem, caKeyPem: ca.keyPem }, { user: ADMIN_USER, groups: [ADMIN_GROUP] });
    await savePair(admin, path(FILES.adminCert), path(FILES.adminKey));
    generated.push('admin');
  }

  return {
    dir,
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
    generated,
  };
}

export interface ClientCertOptions {
  /** Becomes the certificate's CN, i.e. the user name. */
  user: string;
  /** Become the certificate's O values, i.e. the groups. */
  groups?: string[];
  /** Validity in days (default 365). */
  days?: number;
}

/** Issues a client certificate (clientAuth) for `user` in `groups`, signed by the cluster CA, with a fresh key. */
export async function issueClientCert(
  pki: Pick<Pki, 'caCertPem' | 'caKeyPem'>,
  opts: ClientCertOptions,
): Promise<{ certPem: string; keyPem: string }> {
  if (!opts.user) throw new Error('a client certificate needs a user name');
  return issueLeaf(
    { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
    { commonName: opts.user, organizations: opts.groups ?? [], days: opts.days ?? LEAF_DAYS, usage: 'client' },
  );
}

export interface ServingCertOptions {
  /** The certificate's CN (e.g. the node name). */
  commonName: string;
  /** IP addresses and DNS names the server is reached by; each becomes an IP or DNS subjectAltName. */
  hosts: string[];
  /** Validity in days (default 365). */
  days?: number;
}

/**
 * Issues a serving certificate (serverAuth) signed by the cluster CA, with a fresh key, for `hosts` (no
 * loopback or host names are added beyond those given). Used for node agents' kubelet API and join.
 */
export async function issueServingCert(
  pki: Pick<Pki, 'caCertPem' | 'caKeyPem'>,
  opts: ServingCertOptions,
): Promise<{ certPem: string; keyPem: string }> {
  if (!opts.commonName) throw new Error('a serving certificate needs a common name');
  const dnsNames = new Set<string>();
  const ipAddresses = new Set<string>();
  for (const h of opts.hosts) {
    const s = h.trim();
    if (!s) continue;
    const ip = canonicalIp(s);
    if (ip !== undefined) ipAddresses.add(ip);
    else dnsNames.add(s.toLowerCase());
  }
  return issueLeaf(
    { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
    { commonName: opts.commonName, days: opts.days ?? LEAF_DAYS, usage: 'server', dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] },
  );
}

async function loadPair(certPath: string, keyPath: string): Promise<IssuedCert | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem === undefined && keyPem === undefined) return undefined;
  if (certPem === undefined || keyPem === undefined) {
    const missing = certPem === undefined ? certPath : keyPath;
    if (certPath.endsWith(FILES.caCert)) {
      throw new Error(`cluster CA is incomplete: ${missing} is missing (restore it, or remove the pki directory to start a new cluster identity)`);
    }
    return undefined; // a half-present leaf is simply re-issued
  }
  return { certPem, keyPem };
}

async function savePair(pair: IssuedCert, certPath: string, keyPath: string): Promise<void> {
  await writeFileAtomic(keyPath, pair.keyPem, KEY_MODE);
  await writeFileAtomic(certPath, pair.certPem, CERT_MODE);
}

function checkCa(ca: IssuedCert, dir: string): void {
  let cert: NodeX509;
  try {
    cert = new NodeX509(ca.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(ca.keyPem))) throw new Error('ca.key does not match ca.crt');
  } catch (err) {
    throw new Error(`cluster CA in ${dir} is unusable: ${(err as Error).message}`);
  }
  if (!cert.ca) throw new Error(`cluster CA in ${dir} is unusable: ca.crt is not a CA certificate`);
  if (new Date(cert.validTo).getTime() <= Date.now()) {
    throw new Error(`cluster CA in ${dir} expired on ${cert.validTo}; remove the pki directory to start a new cluster identity`);
  }
}

interface LeafRequirements {
  usage: 'server' | 'client';
  sans?: SanSet;
  commonName?: string;
  organization?: string;
}

/** Whether an existing leaf can be kept: signed by the CA, matching its key, valid for a while, right usage, subject and SANs. */
async function leafUsable(pair: IssuedCert, caCertPem: string, want: LeafRequirements): Promise<boolean> {
  try {
    const cert = new NodeX509(pair.certPem);
    const caCert = new NodeX509(caCertPem);
    if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return false;
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem))) return false;
    if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    if (new Date(cert.validFrom).getTime() > Date.now() + 5 * 60_000) return false;
    const eku = want.usage === 'server' ? SERVER_AUTH : CLIENT_AUTH;
    if (!(cert.keyUsage ?? []).includes(eku)) return false;
    const subject = subjectFields(cert.subject);
    if (want.commonName !== undefined && subject.get('CN')?.[0] !== want.commonName) return false;
    if (want.organization !== undefined && !(subject.get('O') ?? []).includes(want.organization)) return false;
    if (want.sans) {
      const missing = missingSans(certSans(cert), want.sans);
      if (missing.dnsNames.length > 0 || missing.ipAddresses.length > 0) return false;
    }
    return true;
  } catch {
    return false; // unparsable files are replaced
  }
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Node's subject text ("O=system:masters\nCN=admin") as attribute → values. */
function subjectFields(subject: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of subject.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    out.set(k, [...(out.get(k) ?? []), line.slice(i + 1)]);
  }
  return out;
}

/** The DNS names and IP addresses of Node's subjectAltName text (values with separators come JSON-quoted). */
function certSans(cert: NodeX509): SanSet {
  const sans: SanSet = { dnsNames: [], ipAddresses: [] };
  for (const m of (cert.subjectAltName ?? '').matchAll(/(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    (m[1] === 'DNS' ? sans.dnsNames : sans.ipAddresses).push(value);
  }
  return sans;
}
