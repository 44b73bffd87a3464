/**
 * securityContext → CRI: the container's effective security context (pod-level settings with the
 * container's overriding them) as LinuxContainerSecurityContext, the sandbox's
 * LinuxSandboxSecurityContext and namespace options (hostNetwork/hostPID/hostIPC), sysctls, and
 * the runAsNonRoot check against the image's user.
 */
import type {
  CriCapability, CriLinuxContainerSecurityContext, CriLinuxPodSandboxConfig, CriLinuxSandboxSecurityContext,
  CriNamespaceOption, CriSecurityProfile, CriSELinuxOption,
} from './cri-shapes.js';

/** Paths the runtime masks unless the container is privileged or asks for procMount Unmasked. */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
/** Paths the runtime mounts read-only under the same conditions. */
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The pod's and the container's securityContext merged (container wins), fsGroup added to supplementalGroups. */
export function effectiveSecurityContext(pod: any, container: any): any {
  const psc = pod?.spec?.securityContext ?? {};
  const csc = container?.securityContext ?? {};
  const out: any = { ...csc };
  for (const k of ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seLinuxOptions', 'seccompProfile', 'appArmorProfile']) {
    if (out[k] === undefined && psc[k] !== undefined) out[k] = psc[k];
  }
  return out;
}

/** Capability names as containerd 1.6 wants them: without the `CAP_` prefix (it adds its own). */
export function criCapabilityName(c: string): string {
  return c.toUpperCase().startsWith('CAP_') ? c.slice(4).toUpperCase() : c.toUpperCase();
}

function capabilities(caps: any): CriCapability | undefined {
  if (!caps) return undefined;
  return {
    addCapabilities: (caps.add ?? []).map(criCapabilityName),
    dropCapabilities: (caps.drop ?? []).map(criCapabilityName),
  };
}

function seLinux(o: any): CriSELinuxOption | undefined {
  if (!o) return undefined;
  return { user: o.user ?? '', role: o.role ?? '', type: o.type ?? '', level: o.level ?? '' };
}

/** A seccomp profile: RuntimeDefault / Localhost as asked; unset or Unconfined → Unconfined (kubelet default). */
export function seccompProfile(p: any, privileged: boolean): CriSecurityProfile {
  if (privileged || !p) return { profileType: 'Unconfined' };
  if (p.type === 'RuntimeDefault') return { profileType: 'RuntimeDefault' };
  if (p.type === 'Localhost') return { profileType: 'Localhost', localhostRef: p.localhostProfile ?? '' };
  return { profileType: 'Unconfined' };
}

/** The namespace options of the pod's sandbox and containers. */
export function namespaceOptions(pod: any): CriNamespaceOption {
  const spec = pod?.spec ?? {};
  return {
    network: spec.hostNetwork ? 'NODE' : 'POD',
    pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: spec.hostIPC ? 'NODE' : 'POD',
  };
}

function supplementalGroups(pod: any): number[] {
  const psc = pod?.spec?.securityContext ?? {};
  const groups: number[] = [...(psc.supplementalGroups ?? [])];
  if (typeof psc.fsGroup === 'number' && !groups.includes(psc.fsGroup)) groups.push(psc.fsGroup);
  return groups;
}

/**
 * The container's CRI security context. With the image's user known and no runAsUser set, the
 * image's uid (or user name; root when the image names none) is passed on as the kubelet does, so
 * a runAsGroup alone is valid.
 */
export function containerSecurityContext(pod: any, container: any, image?: ImageUser): CriLinuxContainerSecurityContext {
  const sc = effectiveSecurityContext(pod, container);
  const privileged = sc.privileged === true;
  const out: CriLinuxContainerSecurityContext = {
    privileged,
    namespaceOptions: namespaceOptions(pod),
    readonlyRootfs: sc.readOnlyRootFilesystem === true,
    noNewPrivs: sc.allowPrivilegeEscalation === false,
    seccomp: seccompProfile(sc.seccompProfile, privileged),
  };
  const caps = capabilities(sc.capabilities);
  if (caps) out.capabilities = caps;
  const se = seLinux(sc.seLinuxOptions);
  if (se) out.selinuxOptions = se;
  if (typeof sc.runAsUser === 'number') out.runAsUser = { value: sc.runAsUser };
  else if (typeof image?.uid === 'number') out.runAsUser = { value: image.uid };
  else if (image?.username) out.runAsUsername = image.username;
  else if (image) out.runAsUser = { value: 0 }; // an image without a user runs as root
  if (typeof sc.runAsGroup === 'number') out.runAsGroup = { value: sc.runAsGroup };
  const groups = supplementalGroups(pod);
  if (groups.length) out.supplementalGroups = groups;
  if (privileged || sc.procMount === 'Unmasked') {
    out.maskedPaths = [];
    out.readonlyPaths = [];
  } else {
    out.maskedPaths = [...DEFAULT_MASKED_PATHS];
    out.readonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  return out;
}

/** Whether any of the pod's containers is privileged (the sandbox must then be). */
export function podHasPrivilegedContainer(pod: any): boolean {
  const spec = pod?.spec ?? {};
  return [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]
    .some((c: any) => c?.securityContext?.privileged === true);
}

/** The sandbox's CRI security context. */
export function sandboxSecurityContext(pod: any): CriLinuxSandboxSecurityContext {
  const psc = pod?.spec?.securityContext ?? {};
  const out: CriLinuxSandboxSecurityContext = {
    namespaceOptions: namespaceOptions(pod),
    privileged: podHasPrivilegedContainer(pod),
    seccomp: seccompProfile(psc.seccompProfile, false),
  };
  if (typeof psc.runAsUser === 'number') out.runAsUser = { value: psc.runAsUser };
  if (typeof psc.runAsGroup === 'number') out.runAsGroup = { value: psc.runAsGroup };
  const groups = supplementalGroups(pod);
  if (groups.length) out.supplementalGroups = groups;
  const se = seLinux(psc.seLinuxOptions);
  if (se) out.selinuxOptions = se;
  return out;
}

/** The pod's sysctls as a CRI map. */
export function sysctls(pod: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of pod?.spec?.securityContext?.sysctls ?? []) if (s?.name) out[s.name] = String(s.value ?? '');
  return out;
}

/** LinuxPodSandboxConfig for RunPodSandbox (cgroup parent from resources.podCgroupParent). */
export function linuxSandboxConfig(pod: any, cgroupParent?: string): CriLinuxPodSandboxConfig {
  const out: CriLinuxPodSandboxConfig = { securityContext: sandboxSecurityContext(pod), sysctls: sysctls(pod) };
  if (cgroupParent) out.cgroupParent = cgroupParent;
  return out;
}

/** The image's configured user as ImageStatus reports it (uid when numeric, else username). */
export interface ImageUser {
  uid?: number;
  username?: string;
}

/** `name_namespace(uid)`, how the kubelet names a pod in messages. */
export function formatPod(pod: any): string {
  const m = pod?.metadata ?? {};
  return `${m.name}_${m.namespace}(${m.uid})`;
}

/**
 * The runAsNonRoot check: an error message when the container would run as root although it (or
 * its pod) asks for runAsNonRoot, else undefined. An image with no user runs as root.
 */
export function verifyRunAsNonRoot(pod: any, container: any, image: ImageUser = {}): string | undefined {
  const sc = effectiveSecurityContext(pod, container);
  if (sc.runAsNonRoot !== true) return undefined;
  if (typeof sc.runAsUser === 'number') {
    return sc.runAsUser === 0
      ? `container's runAsUser breaks non-root policy (pod: "${formatPod(pod)}", container: ${container?.name})`
      : undefined;
  }
  let uid = image.uid;
  const username = image.username ?? '';
  if (uid === undefined && username !== '') {
    if (/^\d+$/.test(username)) uid = Number(username);
    else return `container has runAsNonRoot and image has non-numeric user (${username}), cannot verify user is non-root (pod: "${formatPod(pod)}", container: ${container?.name})`;
  }
  if ((uid ?? 0) === 0) return `container has runAsNonRoot and image will run as root (pod: "${formatPod(pod)}", container: ${container?.name})`;
  return undefined;
}
