// Subject alternative names for the serving certificate: which are needed and whether a certificate has them.
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export interface SanSet {
  dnsNames: string[];
  ipAddresses: string[];
}

/** Canonical text form of an IP address (IPv6 compressed, lower case), or undefined if `s` is not one. */
export function canonicalIp(s: string): string | undefined {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  const family = isIP(bare);
  if (family === 0) return undefined;
  return family === 6 ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : new URL(`http://${bare}/`).hostname;
}

/** Names every in-cluster client may use for the API server, besides loopback and the host name. */
const CLUSTER_DNS_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/**
 * The SANs the serving certificate must carry: loopback names, the machine's host name, the in-cluster
 * `kubernetes.default.svc` names and `hosts`. Unspecified addresses (0.0.0.0, ::) and empty entries are
 * skipped since no client connects by those names.
 */
export function requiredSans(hosts: readonly string[]): SanSet {
  const dns = new Set<string>(['localhost']);
  const ips = new Set<string>(['127.0.0.1', '::1']);
  const add = (h: string) => {
    const s = h.trim();
    if (!s) return;
    const ip = canonicalIp(s);
    if (ip !== undefined) {
      if (ip !== '0.0.0.0' && ip !== '::') ips.add(ip);
    } else {
      dns.add(s.toLowerCase());
    }
  };
  add(hostname());
  for (const n of CLUSTER_DNS_NAMES) dns.add(n);
  for (const h of hosts) add(h);
  return { dnsNames: [...dns], ipAddresses: [...ips] };
}

/** SANs in `want` that `have` lacks (DNS compared case-insensitively, IPs by canonical form). */
export function missingSans(have: SanSet, want: SanSet): SanSet {
  const dns = new Set(have.dnsNames.map((n) => n.toLowerCase()));
  const ips = new Set(have.ipAddresses.map((ip) => canonicalIp(ip) ?? ip));
  return {
    dnsNames: want.dnsNames.filter((n) => !dns.has(n.toLowerCase())),
    ipAddresses: want.ipAddresses.filter((ip) => !ips.has(canonicalIp(ip) ?? ip)),
  };
}
