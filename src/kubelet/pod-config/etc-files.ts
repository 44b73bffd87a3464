/**
 * The files the kubelet itself mounts into containers: a managed /etc/hosts (pod IPs under the
 * pod's hostname, the usual localhost lines, hostAliases; for hostNetwork pods the node's own
 * hosts file) at D/agent/pods/<uid>/etc-hosts, and a fresh termination-message file per container
 * instance at D/agent/pods/<uid>/containers/<name>/<8 hex digits>, mounted at
 * terminationMessagePath, from which the agent reads the message once the container ends.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CriMount } from './cri-shapes.js';

export const ETC_HOSTS = '/etc/hosts';

/** The pod's hostname (spec.hostname or its name, ≤ 63 characters, no trailing '-' or '.'), and its domain when it has a subdomain. */
export function podHostnameAndDomain(pod: any, clusterDomain = 'cluster.local'): { hostname: string; domain?: string } {
  let hostname: string = pod?.spec?.hostname || pod?.metadata?.name || '';
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const sub: string | undefined = pod?.spec?.subdomain;
  return sub ? { hostname, domain: `${sub}.${pod?.metadata?.namespace}.svc.${clusterDomain}` } : { hostname };
}

function aliasLines(pod: any): string {
  const aliases: any[] = pod?.spec?.hostAliases ?? [];
  if (!aliases.length) return '';
  return '\n# Entries added by HostAliases.\n' + aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('');
}

/** The content of the pod's managed /etc/hosts. */
export function hostsFileContent(pod: any, podIPs: string[], opts: { clusterDomain?: string; nodeHostsFile?: string } = {}): string {
  if (pod?.spec?.hostNetwork) {
    return `# Kubernetes-managed hosts file (host network).\n${opts.nodeHostsFile ?? ''}${aliasLines(pod)}`;
  }
  const { hostname, domain } = podHostnameAndDomain(pod, opts.clusterDomain);
  let out = '# Kubernetes-managed hosts file.\n'
    + '127.0.0.1\tlocalhost\n'
    + '::1\tlocalhost ip6-localhost ip6-loopback\n'
    + 'fe00::0\tip6-localnet\n'
    + 'fe00::0\tip6-mcastprefix\n'
    + 'fe00::1\tip6-allnodes\n'
    + 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + aliasLines(pod);
}

/**
 * Writes (in place, so an existing bind mount sees it) the pod's hosts file under `podDir` and
 * returns its mount, or undefined when the container mounts its own /etc/hosts or the pod has no IP yet.
 */
export async function etcHostsMount(
  podDir: string, pod: any, container: any, podIPs: string[], opts: { clusterDomain?: string; nodeHostsPath?: string } = {},
): Promise<CriMount | undefined> {
  if (!podIPs.length) return undefined;
  if ((container?.volumeMounts ?? []).some((m: any) => m?.mountPath === ETC_HOSTS)) return undefined;
  const nodeHostsFile = pod?.spec?.hostNetwork ? await readFile(opts.nodeHostsPath ?? ETC_HOSTS, 'utf8').catch(() => '') : undefined;
  const content = hostsFileContent(pod, podIPs, { clusterDomain: opts.clusterDomain, nodeHostsFile });
  const file = join(podDir, 'etc-hosts');
  await mkdir(podDir, { recursive: true });
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old !== content) await writeFile(file, content, { mode: 0o644 });
  return { containerPath: ETC_HOSTS, hostPath: file, readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' };
}

/** A new, empty, world-writable termination-message file for one instance of the container, and its mount. */
export async function terminationMessageMount(podDir: string, container: any): Promise<CriMount | undefined> {
  const path: string = container?.terminationMessagePath ?? '/dev/termination-log';
  if (!path) return undefined;
  const dir = join(podDir, 'containers', container.name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, randomBytes(4).toString('hex'));
  await writeFile(file, '', { flag: 'wx' });
  await chmod(file, 0o666);
  return { containerPath: path, hostPath: file, readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' };
}
