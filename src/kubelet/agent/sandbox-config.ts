/**
 * The PodSandboxConfig for a pod, as the upstream kubelet builds it: metadata (name, namespace,
 * uid, attempt), hostname, log directory, DNS, host port mappings, namespaces (hostNetwork,
 * hostPID, hostIPC), labels and annotations, and a cgroup parent under the agent's cgroup by QoS
 * class (pod-config's podCgroupParent).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KObject } from '../../client/index.js';
import { podCgroupParent as qosCgroupParent } from '../pod-config/index.js';
import { MANAGED_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, type Msg } from './runtime-types.js';

export interface SandboxEnv {
  /** D/agent/pod-logs */
  podLogsRoot: string;
  /** Cgroup under which every pod's cgroup goes (cgroupfs path, e.g. /k8ts). */
  cgroupRoot: string;
  /** resolv.conf the pods with dnsPolicy Default (and ClusterFirst while no cluster DNS exists) copy. */
  resolvConf?: string;
  /** Cluster DNS servers (none yet: ClusterFirst falls back to the host's resolv.conf). */
  clusterDns?: string[];
  clusterDomain?: string;
}

/** D/agent/pod-logs/<ns>_<name>_<uid> */
export function podLogDirectory(root: string, pod: KObject): string {
  return join(root, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
}

export function podLabels(pod: KObject): Record<string, string> {
  return {
    ...(pod.metadata?.labels ?? {}),
    [POD_NAME_LABEL]: pod.metadata.name,
    [POD_NAMESPACE_LABEL]: pod.metadata.namespace,
    [POD_UID_LABEL]: pod.metadata.uid,
    [MANAGED_LABEL]: 'true',
  };
}

/** The pod's cgroup (cgroupfs path) below the agent's root by QoS class, as the kubelet's: ROOT[/burstable|/besteffort]/pod<uid>. */
export function podCgroupParent(env: SandboxEnv, pod: KObject): string {
  return qosCgroupParent(pod, env.cgroupRoot);
}

/** Every cgroup path a pod with this uid may have had (its QoS class is not known once it is gone). */
export function podCgroupCandidates(env: SandboxEnv, uid: string): string[] {
  const root = env.cgroupRoot.replace(/\/+$/, '');
  return [`${root}/pod${uid}`, `${root}/burstable/pod${uid}`, `${root}/besteffort/pod${uid}`];
}

interface Resolv { servers: string[]; searches: string[]; options: string[] }

export function parseResolvConf(text: string): Resolv {
  const out: Resolv = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

function hostResolv(path = '/etc/resolv.conf'): Resolv {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] };
  }
}

/** DNS configuration of a pod (dnsPolicy ClusterFirst, ClusterFirstWithHostNet, Default, None; dnsConfig merged). */
export function dnsConfig(pod: KObject, env: SandboxEnv): Msg {
  const spec = pod.spec ?? {};
  const policy: string = spec.dnsPolicy ?? 'ClusterFirst';
  let base: Resolv;
  const clusterFirst = (policy === 'ClusterFirst' && !spec.hostNetwork) || policy === 'ClusterFirstWithHostNet';
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (clusterFirst && env.clusterDns?.length) {
    const domain = env.clusterDomain ?? 'cluster.local';
    const ns: string = pod.metadata.namespace;
    base = { servers: [...env.clusterDns], searches: [`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...hostResolv(env.resolvConf).searches], options: ['ndots:5'] };
  } else base = hostResolv(env.resolvConf);
  const extra = spec.dnsConfig ?? {};
  const servers = [...base.servers, ...(extra.nameservers ?? [])];
  const searches = [...base.searches, ...(extra.searches ?? [])].filter((s, i, a) => a.indexOf(s) === i);
  const options = [...base.options];
  for (const o of (extra.options ?? []) as KObject[]) {
    const text = o.value !== undefined && o.value !== null ? `${o.name}:${o.value}` : String(o.name);
    const i = options.findIndex((x) => x.split(':')[0] === o.name);
    if (i >= 0) options[i] = text;
    else options.push(text);
  }
  return { servers, searches, options };
}

export function portMappings(pod: KObject): Msg[] {
  const out: Msg[] = [];
  const all: KObject[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of all) {
    for (const p of (c.ports ?? []) as KObject[]) {
      if (!p.hostPort) continue;
      out.push({
        protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort,
        ...(p.hostIP ? { hostIp: p.hostIP } : {}),
      });
    }
  }
  return out;
}

/** The pod's hostname: spec.hostname or the pod name, at most 63 characters, without a trailing '-' or '.'. */
export function podHostname(pod: KObject): string {
  const h: string = pod.spec?.hostname || pod.metadata.name;
  return h.length > 63 ? h.slice(0, 63).replace(/[-.]+$/, '') : h;
}

export function sandboxConfig(pod: KObject, attempt: number, env: SandboxEnv): Msg {
  const spec = pod.spec ?? {};
  const hostNetwork = !!spec.hostNetwork;
  const sc = spec.securityContext ?? {};
  const namespaceOptions: Msg = {
    network: hostNetwork ? 'NODE' : 'POD',
    pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: spec.hostIPC ? 'NODE' : 'POD',
  };
  const securityContext: Msg = { namespaceOptions };
  if (sc.runAsUser !== undefined) securityContext.runAsUser = { value: sc.runAsUser };
  if (sc.runAsGroup !== undefined) securityContext.runAsGroup = { value: sc.runAsGroup };
  if (sc.supplementalGroups?.length) securityContext.supplementalGroups = sc.supplementalGroups;
  const anyPrivileged = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].some((c: KObject) => c.securityContext?.privileged);
  if (anyPrivileged) securityContext.privileged = true;
  const sysctls: Record<string, string> = {};
  for (const s of (sc.sysctls ?? []) as KObject[]) sysctls[s.name] = String(s.value);
  const cfg: Msg = {
    metadata: { name: pod.metadata.name, uid: pod.metadata.uid, namespace: pod.metadata.namespace, attempt },
    logDirectory: podLogDirectory(env.podLogsRoot, pod),
    dnsConfig: dnsConfig(pod, env),
    portMappings: portMappings(pod),
    labels: podLabels(pod),
    annotations: { ...(pod.metadata?.annotations ?? {}) },
    linux: { cgroupParent: podCgroupParent(env, pod), securityContext, ...(Object.keys(sysctls).length ? { sysctls } : {}) },
  };
  if (!hostNetwork) {
    cfg.hostname = podHostname(pod);
  }
  return cfg;
}
