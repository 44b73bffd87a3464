/**
 * Validation of PodSpec and PodTemplateSpec, shared by Pod and every workload kind
 * (upstream ValidatePodSpec, ValidatePodTemplateSpec and the container/volume checks).
 */
import {
  FieldPath,
  duplicate,
  forbidden,
  inclusiveRangeError,
  invalid,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isHTTPHeaderName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  notFound,
  notSupported,
  required,
  validateAnnotations,
  validateLabelName,
  validateLabels,
  validateNonnegativeField,
  validateResourceRequirements,
  type FieldError,
} from '../../../machinery/validation/index.js';
import { VOLUME_SOURCES } from './pod-spec-defaults.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
export const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_INT32 = 2147483647;

export function validateDNS1123Label(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

/** An int-or-string port: a number in range or an IANA_SVC_NAME. */
export function validatePortNumOrName(port: unknown, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return [invalid(path, port ?? null, 'must be an integer or a port name')];
}

function validateVolumeSource(v: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const present = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
  if (present.length === 0) return [required(path, 'must specify a volume type')];
  for (const extra of present.slice(1)) errs.push(forbidden(path.child(extra), 'may not specify more than 1 volume type'));
  const mode = (m: unknown, p: FieldPath) =>
    typeof m === 'number' && (m < 0 || m > 0o777) ? [invalid(p, m, 'must be a number between 0 and 0777 (octal), both inclusive')] : [];
  const items = (list: unknown, p: FieldPath) => {
    const out: FieldError[] = [];
    arr(list).forEach((it, i) => {
      const ip = p.index(i);
      if (!it?.key) out.push(required(ip.child('key')));
      if (!it?.path) out.push(required(ip.child('path')));
      out.push(...mode(it?.mode, ip.child('mode')));
    });
    return out;
  };
  if (isObj(v.configMap)) {
    const p = path.child('configMap');
    if (!v.configMap.name) errs.push(required(p.child('name')));
    errs.push(...mode(v.configMap.defaultMode, p.child('defaultMode')), ...items(v.configMap.items, p.child('items')));
  }
  if (isObj(v.secret)) {
    const p = path.child('secret');
    if (!v.secret.secretName) errs.push(required(p.child('secretName')));
    errs.push(...mode(v.secret.defaultMode, p.child('defaultMode')), ...items(v.secret.items, p.child('items')));
  }
  if (isObj(v.hostPath)) {
    const p = path.child('hostPath');
    if (!v.hostPath.path) errs.push(required(p.child('path')));
    const types = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
    if (v.hostPath.type !== undefined && !types.includes(v.hostPath.type)) {
      errs.push(notSupported(p.child('type'), v.hostPath.type, types));
    }
  }
  if (isObj(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) {
    errs.push(required(path.child('persistentVolumeClaim', 'claimName')));
  }
  if (isObj(v.nfs)) {
    if (!v.nfs.server) errs.push(required(path.child('nfs', 'server')));
    if (!v.nfs.path) errs.push(required(path.child('nfs', 'path')));
  }
  if (isObj(v.emptyDir) && v.emptyDir.medium !== undefined && !['', 'Memory', 'HugePages'].includes(v.emptyDir.medium)) {
    if (!String(v.emptyDir.medium).startsWith('HugePages-')) {
      errs.push(notSupported(path.child('emptyDir', 'medium'), v.emptyDir.medium, ['', 'Memory', 'HugePages']));
    }
  }
  return errs;
}

/** Volumes; returns the names usable by volumeMounts (volumes without errors). */
export function validateVolumes(volumes: unknown, path: FieldPath): { names: Set<string>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((v, i) => {
    const ip = path.index(i);
    const np = ip.child('name');
    const el = validateVolumeSource(isObj(v) ? v : {}, ip);
    const name = String(v?.name ?? '');
    if (!name) el.push(required(np));
    else el.push(...validateDNS1123Label(name, np));
    if (names.has(name)) el.push(duplicate(np, name));
    if (el.length === 0) names.add(name);
    else errors.push(...el);
  });
  return { names, errors };
}

function validateHandler(h: Obj, path: FieldPath): FieldError[] {
  const kinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'].filter((k) => h[k] !== undefined && h[k] !== null);
  if (kinds.length === 0) return [required(path, 'must specify a handler type')];
  const errs: FieldError[] = [];
  for (const extra of kinds.slice(1)) errs.push(forbidden(path.child(extra), 'may not specify more than 1 handler type'));
  if (isObj(h.exec) && arr(h.exec.command).length === 0) errs.push(required(path.child('exec', 'command')));
  if (isObj(h.httpGet)) {
    const p = path.child('httpGet');
    if (!h.httpGet.path) errs.push(required(p.child('path')));
    errs.push(...validatePortNumOrName(h.httpGet.port, p.child('port')));
    if (h.httpGet.scheme && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) {
      errs.push(notSupported(p.child('scheme'), h.httpGet.scheme, ['HTTP', 'HTTPS']));
    }
    arr(h.httpGet.httpHeaders).forEach((hd, i) => {
      for (const m of isHTTPHeaderName(String(hd?.name ?? ''))) errs.push(invalid(p.child('httpHeaders').index(i).child('name'), hd?.name ?? '', m));
    });
  }
  if (isObj(h.tcpSocket)) errs.push(...validatePortNumOrName(h.tcpSocket.port, path.child('tcpSocket', 'port')));
  if (isObj(h.grpc)) errs.push(...isValidPortNum(h.grpc.port).map((m) => invalid(path.child('grpc', 'port'), h.grpc.port, m)));
  return errs;
}

function validateProbe(p: unknown, path: FieldPath, mustSucceedOnce: boolean): FieldError[] {
  if (!isObj(p)) return [];
  const errs = validateHandler(p, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    if (typeof p[f] === 'number') errs.push(...validateNonnegativeField(p[f], path.child(f)));
  }
  if (typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (mustSucceedOnce && typeof p.successThreshold === 'number' && p.successThreshold !== 1) {
    errs.push(invalid(path.child('successThreshold'), p.successThreshold, 'must be 1'));
  }
  return errs;
}

function validateContainerPorts(ports: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((port, i) => {
    const ip = path.index(i);
    if (port?.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(ip.child('name'), port.name, m));
      else if (names.has(port.name)) errs.push(duplicate(ip.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port?.containerPort) errs.push(required(ip.child('containerPort')));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(invalid(ip.child('containerPort'), port.containerPort, m));
    if (port?.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(invalid(ip.child('hostPort'), port.hostPort, m));
    if (!port?.protocol) errs.push(required(ip.child('protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(ip.child('protocol'), port.protocol, PROTOCOLS));
  });
  return errs;
}

function isRelaxedEnvVarName(name: string): string[] {
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c > 0x7e || ch === '=') {
      return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
    }
  }
  return [];
}

function validateKeyRef(ref: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref.key) errs.push(required(path.child('key')));
  else for (const m of isConfigMapKey(ref.key)) errs.push(invalid(path.child('key'), ref.key, m));
  if (!ref.name) errs.push(required(path.child('name')));
  else for (const m of isDNS1123Subdomain(ref.name)) errs.push(invalid(path.child('name'), ref.name, m));
  return errs;
}

function validateEnv(env: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((ev, i) => {
    const ip = path.index(i);
    if (!ev?.name) errs.push(required(ip.child('name')));
    else for (const m of isRelaxedEnvVarName(ev.name)) errs.push(invalid(ip.child('name'), ev.name, m));
    const vf = ev?.valueFrom;
    if (!isObj(vf)) return;
    const vp = ip.child('valueFrom');
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => isObj(vf[k]));
    if (isObj(vf.fieldRef)) {
      if (!vf.fieldRef.fieldPath) errs.push(required(vp.child('fieldRef', 'fieldPath')));
      if (!vf.fieldRef.apiVersion) errs.push(required(vp.child('fieldRef', 'apiVersion')));
    }
    if (isObj(vf.resourceFieldRef) && !vf.resourceFieldRef.resource) errs.push(required(vp.child('resourceFieldRef', 'resource')));
    if (isObj(vf.configMapKeyRef)) errs.push(...validateKeyRef(vf.configMapKeyRef, vp.child('configMapKeyRef')));
    if (isObj(vf.secretKeyRef)) errs.push(...validateKeyRef(vf.secretKeyRef, vp.child('secretKeyRef')));
    if (sources.length === 0) {
      errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (ev.value) {
      errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    } else if (sources.length > 1) {
      errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const points = new Set<string>();
  arr(mounts).forEach((m, i) => {
    const ip = path.index(i);
    const name = String(m?.name ?? '');
    if (!name) errs.push(required(ip.child('name')));
    if (!volumes.has(name)) errs.push(notFound(ip.child('name'), name));
    const mp = String(m?.mountPath ?? '');
    if (!mp) errs.push(required(ip.child('mountPath')));
    if (points.has(mp)) errs.push(invalid(ip.child('mountPath'), mp, 'must be unique'));
    points.add(mp);
    if (m?.subPath) {
      const sp = String(m.subPath);
      if (sp.startsWith('/')) errs.push(invalid(path.child('subPath'), sp, 'must be a relative path'));
      else if (sp.split('/').includes('..')) errs.push(invalid(path.child('subPath'), sp, "must not contain '..'"));
    }
  });
  return errs;
}

function validateContainerCommon(c: Obj, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const np = path.child('name');
  if (!c.name) errs.push(required(np));
  else errs.push(...validateDNS1123Label(String(c.name), np));
  if (!c.image) errs.push(required(path.child('image')));
  else if (String(c.image).trim() !== c.image) {
    errs.push(invalid(path.child('image'), c.image, 'must not have leading or trailing whitespace'));
  }
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(path.child('terminationMessagePolicy')));
  else if (!['File', 'FallbackToLogsOnError'].includes(tmp)) {
    errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env')));
  arr(c.envFrom).forEach((ef, i) => {
    const ip = path.child('envFrom').index(i);
    const n = [isObj(ef?.configMapRef), isObj(ef?.secretRef)].filter(Boolean).length;
    if (n === 0) errs.push(invalid(ip, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(ip, '', 'may not have more than one field specified at a time'));
    for (const k of ['configMapRef', 'secretRef']) {
      if (isObj(ef?.[k])) {
        if (!ef[k].name) errs.push(required(ip.child(k, 'name')));
        else for (const m of isDNS1123Subdomain(ef[k].name)) errs.push(invalid(ip.child(k, 'name'), ef[k].name, m));
      }
    }
  });
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, path.child('volumeMounts')));
  const pp = c.imagePullPolicy;
  if (!pp) errs.push(required(path.child('imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pp)) errs.push(notSupported(path.child('imagePullPolicy'), pp, PULL_POLICIES));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources')));
  return errs;
}

function validateContainers(containers: unknown, volumes: Set<string>, path: FieldPath): FieldError[] {
  const list = arr(containers);
  const errs: FieldError[] = [];
  if (list.length === 0) errs.push(required(path));
  const names = new Set<string>();
  list.forEach((c, i) => {
    const ip = path.index(i);
    const co: Obj = isObj(c) ? c : {};
    errs.push(...validateContainerCommon(co, volumes, ip));
    const name = String(co.name ?? '');
    if (names.has(name)) errs.push(duplicate(ip.child('name'), name));
    else names.add(name);
    for (const [k, once] of [
      ['livenessProbe', true],
      ['readinessProbe', false],
      ['startupProbe', true],
    ] as const) {
      errs.push(...validateProbe(co[k], ip.child(k), once));
    }
    if (co.restartPolicy !== undefined) errs.push(forbidden(ip.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(list, path));
  return errs;
}

function hostPortConflicts(containers: any[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    arr(c?.ports).forEach((p, pi) => {
      if (!p?.hostPort) return;
      const key = `${p.hostIP ?? ''}/${p.hostPort}/${p.protocol ?? 'TCP'}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      seen.add(key);
    });
  });
  return errs;
}

function validateInitContainers(init: unknown, regular: unknown, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const others = new Set(arr(regular).map((c) => String(c?.name ?? '')));
  const names = new Set<string>();
  arr(init).forEach((c, i) => {
    const ip = path.index(i);
    const co: Obj = isObj(c) ? c : {};
    errs.push(...validateContainerCommon(co, volumes, ip));
    const name = String(co.name ?? '');
    if (names.has(name) || others.has(name)) errs.push(duplicate(ip.child('name'), name));
    else names.add(name);
    if (co.restartPolicy !== undefined && co.restartPolicy !== 'Always') {
      errs.push(notSupported(ip.child('restartPolicy'), co.restartPolicy, ['Always']));
    }
    const sidecar = co.restartPolicy === 'Always';
    if (!sidecar) {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (co[k] !== undefined && co[k] !== null) errs.push(forbidden(ip.child(k), 'may not be set for init containers without restartPolicy=Always'));
      }
    } else {
      errs.push(...validateProbe(co.livenessProbe, ip.child('livenessProbe'), true));
      errs.push(...validateProbe(co.readinessProbe, ip.child('readinessProbe'), false));
      errs.push(...validateProbe(co.startupProbe, ip.child('startupProbe'), true));
    }
  });
  return errs;
}

export function validateTolerations(tolerations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((t, i) => {
    const ip = path.index(i);
    const key = String(t?.key ?? '');
    const op = t?.operator ?? '';
    if (key) errs.push(...validateLabelName(key, ip.child('key')));
    if (!key && op !== 'Exists') {
      errs.push(invalid(ip.child('operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t?.tolerationSeconds !== undefined && t?.tolerationSeconds !== null && t?.effect !== 'NoExecute') {
      errs.push(invalid(ip.child('effect'), t?.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(String(t?.value ?? ''));
      if (msgs.length) errs.push(invalid(ip.child('operator'), String(t?.value ?? ''), msgs.join(';')));
    } else if (op === 'Exists') {
      if (t?.value) errs.push(invalid(ip.child('operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(ip.child('operator'), op, ['Equal', 'Exists']));
    }
    if (t?.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(notSupported(ip.child('effect'), t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

/** upstream ValidatePodSpec; `path` is where the spec sits (`spec`, `spec.template.spec`). */
export function validatePodSpec(spec: unknown, path: FieldPath): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const vols = validateVolumes(s.volumes, path.child('volumes'));
  const errs: FieldError[] = [...vols.errors];
  errs.push(...validateContainers(s.containers, vols.names, path.child('containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, vols.names, path.child('initContainers')));
  const rp = s.restartPolicy ?? '';
  if (rp === '') errs.push(required(path.child('restartPolicy')));
  else if (!RESTART_POLICIES.includes(rp)) errs.push(notSupported(path.child('restartPolicy'), rp, RESTART_POLICIES));
  const dp = s.dnsPolicy ?? '';
  if (dp === '') errs.push(required(path.child('dnsPolicy')));
  else if (!DNS_POLICIES.includes(dp)) errs.push(notSupported(path.child('dnsPolicy'), dp, DNS_POLICIES));
  else if (dp === 'None' && !isObj(s.dnsConfig)) {
    errs.push(required(path.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  arr(s.imagePullSecrets).forEach((ref, i) => {
    if (!ref?.name) errs.push(required(path.child('imagePullSecrets').index(i).child('name')));
  });
  if (s.serviceAccountName) {
    for (const m of nameIsDNSSubdomain(String(s.serviceAccountName), false)) {
      errs.push(invalid(path.child('serviceAccountName'), s.serviceAccountName, m));
    }
  }
  if (s.nodeName) {
    for (const m of nameIsDNSSubdomain(String(s.nodeName), false)) errs.push(invalid(path.child('nodeName'), s.nodeName, m));
  }
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MAX_INT32) {
      errs.push(invalid(path.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
    }
  }
  if (s.hostname) errs.push(...validateDNS1123Label(String(s.hostname), path.child('hostname')));
  if (s.subdomain) errs.push(...validateDNS1123Label(String(s.subdomain), path.child('subdomain')));
  errs.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  if (s.priorityClassName) {
    for (const m of nameIsDNSSubdomain(String(s.priorityClassName), false)) {
      errs.push(invalid(path.child('priorityClassName'), s.priorityClassName, m));
    }
  }
  if (s.preemptionPolicy !== undefined && !['Never', 'PreemptLowerPriority'].includes(s.preemptionPolicy)) {
    errs.push(notSupported(path.child('preemptionPolicy'), s.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  return errs;
}

/** upstream ValidatePodTemplateSpec; note that template labels report at `<path>.labels`. */
export function validatePodTemplateSpec(tpl: unknown, path: FieldPath): FieldError[] {
  const t: Obj = isObj(tpl) ? tpl : {};
  const meta: Obj = isObj(t.metadata) ? t.metadata : {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validatePodSpec(t.spec, path.child('spec')));
  if (arr(t.spec?.ephemeralContainers).length > 0) {
    errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}
