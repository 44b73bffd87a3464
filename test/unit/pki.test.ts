import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensurePki, issueClientCert, renderKubeconfig, writeKubeconfig } from '../../src/pki/index.js';

const FILES = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'admin.crt', 'admin.key'];
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'k8ts-pki-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function readAll(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = await readFile(join(dataDir, 'pki', f), 'utf8');
  return out;
}

function sans(pem: string): string[] {
  return (new X509Certificate(pem).subjectAltName ?? '').split(', ');
}

describe('ensurePki', () => {
  it('creates a CA, a serving certificate and an admin certificate on first start', async () => {
    const pki = await ensurePki(dataDir, { hosts: ['10.0.0.7', 'api.example.test'] });
    expect(pki.generated).toEqual(['ca', 'server', 'admin']);

    const files = await readAll();
    expect(files['ca.crt']).toBe(pki.caCertPem);
    expect(files['server.key']).toBe(pki.serverKeyPem);
    for (const f of FILES) {
      const mode = (await stat(join(dataDir, 'pki', f))).mode & 0o777;
      expect(mode, f).toBe(f.endsWith('.key') ? 0o600 : 0o644);
    }

    const ca = new X509Certificate(pki.caCertPem);
    expect(ca.subject).toBe('CN=k8ts-ca');
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    const years = (new Date(ca.validTo).getTime() - Date.now()) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(createPrivateKey(pki.caKeyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const server = new X509Certificate(pki.serverCertPem);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(server.checkPrivateKey(createPrivateKey(pki.serverKeyPem))).toBe(true);
    expect(server.keyUsage).toEqual([SERVER_AUTH]);
    expect(sans(pki.serverCertPem)).toEqual(
      expect.arrayContaining([
        'DNS:localhost',
        `DNS:${hostname().toLowerCase()}`,
        'DNS:kubernetes.default.svc',
        'DNS:api.example.test',
        'IP Address:127.0.0.1',
        'IP Address:10.0.0.7',
      ]),
    );
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');

    const admin = new X509Certificate(pki.adminCertPem);
    expect(admin.subject.split('\n').sort()).toEqual(['CN=admin', 'O=system:masters']);
    expect(admin.keyUsage).toEqual([CLIENT_AUTH]);
    expect(admin.checkIssued(ca) && admin.verify(ca.publicKey)).toBe(true);
    expect(admin.checkPrivateKey(createPrivateKey(pki.adminKeyPem))).toBe(true);
  });

  it('writes keys as PEM private keys (PKCS#8 or SEC1), the forms Go and Node read', async () => {
    const pki = await ensurePki(dataDir, { hosts: [] });
    for (const pem of [pki.caKeyPem, pki.serverKeyPem, pki.adminKeyPem]) {
      expect(pem).toMatch(/^-----BEGIN (EC )?PRIVATE KEY-----\n[\s\S]+\n-----END (EC )?PRIVATE KEY-----\n$/);
    }
  });

  it('reuses every file on a later start with the same hosts', async () => {
    const first = await ensurePki(dataDir, { hosts: ['10.0.0.7'] });
    const before = await readAll();
    const second = await ensurePki(dataDir, { hosts: ['10.0.0.7'] });
    expect(second.generated).toEqual([]);
    expect(await readAll()).toEqual(before);
    expect(second.serverCertPem).toBe(first.serverCertPem);
  });

  it('reuses the serving certificate when the requested hosts are a subset, in another spelling', async () => {
    await ensurePki(dataDir, { hosts: ['fd00::1', 'API.Example.Test'] });
    const again = await ensurePki(dataDir, { hosts: ['fd00:0:0:0:0:0:0:1', 'api.example.test', '0.0.0.0'] });
    expect(again.generated).toEqual([]);
  });

  it('re-issues only the serving certificate, with the same CA, when a new SAN is needed', async () => {
    const first = await ensurePki(dataDir, { hosts: ['10.0.0.7'] });
    const before = await readAll();
    const second = await ensurePki(dataDir, { hosts: ['10.0.0.7', '192.168.5.5', 'new.example.test'] });
    expect(second.generated).toEqual(['server']);
    const after = await readAll();
    for (const f of ['ca.crt', 'ca.key', 'admin.crt', 'admin.key']) expect(after[f], f).toBe(before[f]);
    expect(after['server.crt']).not.toBe(before['server.crt']);
    expect(sans(second.serverCertPem)).toEqual(
      expect.arrayContaining(['IP Address:10.0.0.7', 'IP Address:192.168.5.5', 'DNS:new.example.test']),
    );
    const ca = new X509Certificate(first.caCertPem);
    expect(new X509Certificate(second.serverCertPem).verify(ca.publicKey)).toBe(true);
  });

  it('re-issues leaves whose files are damaged or missing, keeping the CA', async () => {
    const first = await ensurePki(dataDir, { hosts: [] });
    await rm(join(dataDir, 'pki', 'admin.key'));
    await writeFile(join(dataDir, 'pki', 'server.crt'), 'garbage');
    const second = await ensurePki(dataDir, { hosts: [] });
    expect(second.generated.sort()).toEqual(['admin', 'server']);
    expect(second.caCertPem).toBe(first.caCertPem);
    const ca = new X509Certificate(first.caCertPem);
    expect(new X509Certificate(second.adminCertPem).verify(ca.publicKey)).toBe(true);
  });

  it('refuses to replace a CA whose key is missing', async () => {
    await ensurePki(dataDir, { hosts: [] });
    await rm(join(dataDir, 'pki', 'ca.key'));
    await expect(ensurePki(dataDir, { hosts: [] })).rejects.toThrow(/ca\.key is missing/);
  });
});

describe('issueClientCert', () => {
  it('issues a client certificate for a user and groups, signed by the cluster CA', async () => {
    const pki = await ensurePki(dataDir, { hosts: [] });
    const node = await issueClientCert(pki, { user: 'system:node:worker-1', groups: ['system:nodes', 'team a'], days: 30 });
    const cert = new X509Certificate(node.certPem);
    expect(cert.subject.split('\n').sort()).toEqual(['CN=system:node:worker-1', 'O=system:nodes', 'O=team a']);
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(cert.verify(new X509Certificate(pki.caCertPem).publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(node.keyPem))).toBe(true);
    const days = (new Date(cert.validTo).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
  });
});

describe('kubeconfig', () => {
  it('writes a standard kubeconfig with embedded credentials, mode 0600', async () => {
    const pki = await ensurePki(dataDir, { hosts: [] });
    const path = join(dataDir, 'sub', 'admin.kubeconfig');
    await writeKubeconfig(path, {
      server: 'https://127.0.0.1:6443',
      caPem: pki.caCertPem,
      certPem: pki.adminCertPem,
      keyPem: pki.adminKeyPem,
      clusterName: 'k8ts',
      user: 'admin',
      context: 'k8ts',
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const doc = parse(await readFile(path, 'utf8'));
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(doc).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k8ts', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64(pki.caCertPem) } }],
      contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'admin' } }],
      'current-context': 'k8ts',
      preferences: {},
      users: [{ name: 'admin', user: { 'client-certificate-data': b64(pki.adminCertPem), 'client-key-data': b64(pki.adminKeyPem) } }],
    });
  });

  it('supports a bearer token user and a default namespace', () => {
    const doc = parse(renderKubeconfig({ server: 'https://h:1', caPem: 'CA', token: 'abc', user: 'bob', context: 'dev', namespace: 'team' }));
    expect(doc.users).toEqual([{ name: 'bob', user: { token: 'abc' } }]);
    expect(doc.contexts).toEqual([{ name: 'dev', context: { cluster: 'k8ts', user: 'bob', namespace: 'team' } }]);
    expect(doc['current-context']).toBe('dev');
  });

  it('rejects a certificate without its key', () => {
    expect(() => renderKubeconfig({ server: 'https://h:1', caPem: 'CA', certPem: 'C' })).toThrow();
  });
});
