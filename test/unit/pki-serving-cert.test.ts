import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePki, issueServingCert } from '../../src/pki/index.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'k8ts-pki-serving-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Handshakes with a TLS server using `cert`, verifying it against `ca` for the name `servername` (default: the IP). */
async function handshake(cert: { certPem: string; keyPem: string }, ca: string, servername?: string): Promise<string | undefined> {
  const server = createTlsServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string | undefined>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}) }, () => {
        sock.end();
        resolve(undefined);
      });
      sock.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    });
  } finally {
    server.close();
  }
}

describe('issueServingCert', () => {
  it('issues a serverAuth certificate signed by the cluster CA whose SANs are exactly the given hosts', async () => {
    const pki = await ensurePki(dataDir, { hosts: [] });
    const cert = await issueServingCert(pki, { commonName: 'worker-1', hosts: ['127.0.0.1', 'Worker-1', 'fd00::1', ''] });
    const x = new X509Certificate(cert.certPem);
    expect(x.subject).toBe('CN=worker-1');
    expect(x.checkIssued(new X509Certificate(pki.caCertPem))).toBe(true);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.subjectAltName?.split(', ').sort()).toEqual(['DNS:worker-1', 'IP Address:127.0.0.1', 'IP Address:FD00:0:0:0:0:0:0:1'].sort());
    expect(x.ca).toBe(false);
  });

  it('is accepted by a TLS client trusting the cluster CA for its IP and name, and refused for another name', async () => {
    const pki = await ensurePki(dataDir, { hosts: [] });
    const cert = await issueServingCert(pki, { commonName: 'worker-1', hosts: ['127.0.0.1', 'worker-1'] });
    expect(await handshake(cert, pki.caCertPem)).toBeUndefined();
    expect(await handshake(cert, pki.caCertPem, 'worker-1')).toBeUndefined();
    expect(await handshake(cert, pki.caCertPem, 'other-node')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const other = await ensurePki(join(dataDir, 'other'), { hosts: [] });
    expect(await handshake(cert, other.caCertPem)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});
