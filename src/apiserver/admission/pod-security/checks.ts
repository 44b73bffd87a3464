/**
 * The Pod Security Standards checks (baseline and restricted), as upstream's pod-security-admission
 * names and words them. Each check looks at a pod's metadata and spec and returns its finding
 * (`reason (detail)`) or nothing. Baseline checks come first, then restricted ones, each sorted by id,
 * which is the order upstream reports them in.
 */

type Obj = Record<string, any>;
export type Level = 'privileged' | 'baseline' | 'restricted';

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** A restricted check that replaces a baseline one at the restricted level. */
  overrides?: string;
  run(meta: Obj, spec: Obj): string | undefined;
}

interface NamedContainer {
  c: Obj;
  name: string;
}

function containers(spec: Obj): NamedContainer[] {
  const out: NamedContainer[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of Array.isArray(spec[field]) ? spec[field] : []) if (c && typeof c === 'object') out.push({ c, name: String(c.name ?? '') });
  }
  return out;
}

const quoteList = (names: string[]): string => names.map((n) => JSON.stringify(n)).join(', ');
const plural = (names: string[], one: string, many: string): string => (names.length === 1 ? one : many);
const containerPhrase = (names: string[]): string => `${plural(names, 'container', 'containers')} ${quoteList(names)}`;

const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const CHECKS: Check[] = [
  {
    id: 'appArmorProfile', level: 'baseline',
    run(meta, spec) {
      const bad: string[] = [];
      const ok = (t: unknown) => t === undefined || t === 'RuntimeDefault' || t === 'Localhost';
      if (!ok(spec.securityContext?.appArmorProfile?.type)) bad.push(`pod must not set securityContext.appArmorProfile.type to ${JSON.stringify(spec.securityContext.appArmorProfile.type)}`);
      for (const { c, name } of containers(spec)) {
        if (!ok(c.securityContext?.appArmorProfile?.type)) bad.push(`container ${JSON.stringify(name)} must not set securityContext.appArmorProfile.type to ${JSON.stringify(c.securityContext.appArmorProfile.type)}`);
      }
      for (const [k, v] of Object.entries(meta.annotations ?? {})) {
        if (!k.startsWith('container.apparmor.security.beta.kubernetes.io/')) continue;
        const val = String(v);
        if (val !== 'runtime/default' && !val.startsWith('localhost/')) bad.push(`annotation ${JSON.stringify(k)}=${JSON.stringify(val)}`);
      }
      return bad.length ? `forbidden AppArmor ${plural(bad, 'profile', 'profiles')} (${bad.join(', ')})` : undefined;
    },
  },
  {
    id: 'capabilities_baseline', level: 'baseline',
    run(_meta, spec) {
      const byCap = new Map<string, string[]>();
      for (const { c, name } of containers(spec)) {
        for (const cap of Array.isArray(c.securityContext?.capabilities?.add) ? c.securityContext.capabilities.add : []) {
          if (BASELINE_CAPS.has(String(cap))) continue;
          if (!byCap.has(name)) byCap.set(name, []);
          byCap.get(name)!.push(String(cap));
        }
      }
      if (!byCap.size) return undefined;
      const parts = [...byCap].map(([name, caps]) => `container ${JSON.stringify(name)} must not include ${quoteList(caps)} in securityContext.capabilities.add`);
      return `non-default capabilities (${parts.join('; ')})`;
    },
  },
  {
    id: 'hostNamespaces', level: 'baseline',
    run(_meta, spec) {
      const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true);
      return set.length ? `host namespaces (${set.map((f) => `${f}=true`).join(', ')})` : undefined;
    },
  },
  {
    id: 'hostPathVolumes', level: 'baseline',
    run(_meta, spec) {
      const names = (Array.isArray(spec.volumes) ? spec.volumes : []).filter((v: Obj) => v?.hostPath).map((v: Obj) => String(v.name));
      return names.length ? `hostPath volumes (${plural(names, 'volume', 'volumes')} ${quoteList(names)})` : undefined;
    },
  },
  {
    id: 'hostPorts', level: 'baseline',
    run(_meta, spec) {
      const bad: string[] = [];
      const ports: string[] = [];
      for (const { c, name } of containers(spec)) {
        const hp = (Array.isArray(c.ports) ? c.ports : []).filter((p: Obj) => p?.hostPort).map((p: Obj) => String(p.hostPort));
        if (hp.length) {
          bad.push(name);
          ports.push(...hp);
        }
      }
      if (!bad.length) return undefined;
      return `hostPort (${containerPhrase(bad)} ${plural(bad, 'uses', 'use')} ${plural(ports, 'hostPort', 'hostPorts')} ${ports.join(', ')})`;
    },
  },
  {
    id: 'privileged', level: 'baseline',
    run(_meta, spec) {
      const bad = containers(spec).filter(({ c }) => c.securityContext?.privileged === true).map(({ name }) => name);
      return bad.length ? `privileged (${containerPhrase(bad)} must not set securityContext.privileged=true)` : undefined;
    },
  },
  {
    id: 'procMount', level: 'baseline',
    run(_meta, spec) {
      const bad = containers(spec).filter(({ c }) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default');
      if (!bad.length) return undefined;
      return `procMount (${containerPhrase(bad.map((b) => b.name))} must not set securityContext.procMount to ${quoteList([...new Set(bad.map((b) => String(b.c.securityContext.procMount)))])})`;
    },
  },
  {
    id: 'seLinuxOptions', level: 'baseline',
    run(_meta, spec) {
      const bad: string[] = [];
      const check = (o: Obj | undefined, who: string) => {
        if (!o) return;
        if (o.type !== undefined && !SELINUX_TYPES.has(String(o.type))) bad.push(`${who} set forbidden securityContext.seLinuxOptions: type ${JSON.stringify(o.type)}`);
        if (o.user) bad.push(`${who} set forbidden securityContext.seLinuxOptions: user ${JSON.stringify(o.user)}`);
        if (o.role) bad.push(`${who} set forbidden securityContext.seLinuxOptions: role ${JSON.stringify(o.role)}`);
      };
      check(spec.securityContext?.seLinuxOptions, 'pod');
      for (const { c, name } of containers(spec)) check(c.securityContext?.seLinuxOptions, `container ${JSON.stringify(name)}`);
      return bad.length ? `seLinuxOptions (${bad.join('; ')})` : undefined;
    },
  },
  {
    id: 'seccompProfile_baseline', level: 'baseline',
    run(_meta, spec) {
      const bad: string[] = [];
      if (spec.securityContext?.seccompProfile?.type === 'Unconfined') bad.push('pod must not set securityContext.seccompProfile.type to "Unconfined"');
      const cs = containers(spec).filter(({ c }) => c.securityContext?.seccompProfile?.type === 'Unconfined').map(({ name }) => name);
      if (cs.length) bad.push(`${containerPhrase(cs)} must not set securityContext.seccompProfile.type to "Unconfined"`);
      return bad.length ? `seccompProfile (${bad.join('; ')})` : undefined;
    },
  },
  {
    id: 'sysctls', level: 'baseline',
    run(_meta, spec) {
      const bad = (Array.isArray(spec.securityContext?.sysctls) ? spec.securityContext.sysctls : []).map((s: Obj) => String(s?.name)).filter((n: string) => !SAFE_SYSCTLS.has(n));
      return bad.length ? `forbidden sysctls (${bad.join(', ')})` : undefined;
    },
  },
  {
    id: 'windowsHostProcess', level: 'baseline',
    run(_meta, spec) {
      const pod = spec.securityContext?.windowsOptions?.hostProcess === true;
      const cs = containers(spec).filter(({ c }) => c.securityContext?.windowsOptions?.hostProcess === true).map(({ name }) => name);
      if (!pod && !cs.length) return undefined;
      const parts = [...(pod ? ['pod must not set securityContext.windowsOptions.hostProcess=true'] : []), ...(cs.length ? [`${containerPhrase(cs)} must not set securityContext.windowsOptions.hostProcess=true`] : [])];
      return `hostProcess (${parts.join('; ')})`;
    },
  },
  {
    id: 'allowPrivilegeEscalation', level: 'restricted',
    run(_meta, spec) {
      const bad = containers(spec).filter(({ c }) => c.securityContext?.allowPrivilegeEscalation !== false).map(({ name }) => name);
      return bad.length ? `allowPrivilegeEscalation != false (${containerPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false)` : undefined;
    },
  },
  {
    id: 'capabilities_restricted', level: 'restricted', overrides: 'capabilities_baseline',
    run(_meta, spec) {
      const noDrop: string[] = [];
      const adds = new Map<string, string[]>();
      for (const { c, name } of containers(spec)) {
        const caps = c.securityContext?.capabilities ?? {};
        if (!(Array.isArray(caps.drop) && caps.drop.includes('ALL'))) noDrop.push(name);
        for (const cap of Array.isArray(caps.add) ? caps.add : []) {
          if (cap === 'NET_BIND_SERVICE') continue;
          if (!adds.has(name)) adds.set(name, []);
          adds.get(name)!.push(String(cap));
        }
      }
      const parts: string[] = [];
      if (noDrop.length) parts.push(`${containerPhrase(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      for (const [name, caps] of adds) parts.push(`container ${JSON.stringify(name)} must not include ${quoteList(caps)} in securityContext.capabilities.add`);
      return parts.length ? `unrestricted capabilities (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'restrictedVolumes', level: 'restricted',
    run(_meta, spec) {
      const bad: Array<[string, string]> = [];
      for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
        if (!v || typeof v !== 'object') continue;
        const type = Object.keys(v).find((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
        if (type && !RESTRICTED_VOLUMES.includes(type)) bad.push([String(v.name), type]);
      }
      if (!bad.length) return undefined;
      if (bad.length === 1) return `restricted volume types (volume ${JSON.stringify(bad[0]![0])} uses restricted volume type ${JSON.stringify(bad[0]![1])})`;
      return `restricted volume types (volumes ${quoteList(bad.map((b) => b[0]))} use restricted volume ${plural([...new Set(bad.map((b) => b[1]))], 'type', 'types')} ${quoteList([...new Set(bad.map((b) => b[1]))])})`;
    },
  },
  {
    id: 'runAsNonRoot', level: 'restricted',
    run(_meta, spec) {
      const podSet = spec.securityContext?.runAsNonRoot;
      const parts: string[] = [];
      if (podSet === false) parts.push('pod must not set securityContext.runAsNonRoot=false');
      const explicitFalse = containers(spec).filter(({ c }) => c.securityContext?.runAsNonRoot === false).map(({ name }) => name);
      if (explicitFalse.length) parts.push(`${containerPhrase(explicitFalse)} must not set securityContext.runAsNonRoot=false`);
      if (podSet !== true) {
        const unset = containers(spec).filter(({ c }) => c.securityContext?.runAsNonRoot === undefined).map(({ name }) => name);
        if (unset.length && podSet !== false) parts.push(`pod or ${containerPhrase(unset)} must set securityContext.runAsNonRoot=true`);
        else if (unset.length) parts.push(`${containerPhrase(unset)} must set securityContext.runAsNonRoot=true`);
      }
      return parts.length ? `runAsNonRoot != true (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'runAsUser', level: 'restricted',
    run(_meta, spec) {
      const parts: string[] = [];
      if (spec.securityContext?.runAsUser === 0) parts.push('pod must not set runAsUser=0');
      const cs = containers(spec).filter(({ c }) => c.securityContext?.runAsUser === 0).map(({ name }) => name);
      if (cs.length) parts.push(`${containerPhrase(cs)} must not set runAsUser=0`);
      return parts.length ? `runAsUser=0 (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted', level: 'restricted', overrides: 'seccompProfile_baseline',
    run(_meta, spec) {
      const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec.securityContext?.seccompProfile?.type;
      const parts: string[] = [];
      if (podType !== undefined && !ok(podType)) parts.push(`pod must not set securityContext.seccompProfile.type to ${JSON.stringify(podType)}`);
      const badExplicit = containers(spec).filter(({ c }) => c.securityContext?.seccompProfile?.type !== undefined && !ok(c.securityContext.seccompProfile.type));
      if (badExplicit.length) parts.push(`${containerPhrase(badExplicit.map((b) => b.name))} must not set securityContext.seccompProfile.type to ${quoteList([...new Set(badExplicit.map((b) => String(b.c.securityContext.seccompProfile.type)))])}`);
      if (!ok(podType)) {
        const unset = containers(spec).filter(({ c }) => c.securityContext?.seccompProfile?.type === undefined).map(({ name }) => name);
        if (unset.length) parts.push(`${podType === undefined ? 'pod or ' : ''}${containerPhrase(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
      }
      return parts.length ? `seccompProfile (${parts.join('; ')})` : undefined;
    },
  },
];

/** The findings of a pod template (metadata, spec) at a level, in upstream's order. */
export function evaluate(level: Level, meta: Obj, spec: Obj): string[] {
  if (level === 'privileged') return [];
  const active = CHECKS.filter((c) => c.level === 'baseline' || level === 'restricted');
  const overridden = new Set(active.map((c) => c.overrides).filter(Boolean));
  const out: string[] = [];
  for (const c of active) {
    if (overridden.has(c.id)) continue;
    const r = c.run(meta ?? {}, spec ?? {});
    if (r) out.push(r);
  }
  return out;
}
