/**
 * Defaulting of PodSpec and PodTemplateSpec, shared by Pod and every workload kind
 * (upstream SetDefaults_PodSpec, _Container, _Probe, _Volume and friends).
 */
import { formatQuantity, roundUpQuantity, tryParseQuantity } from '../../../machinery/quantity.js';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Resource lists are written back canonically, rounded up to milli precision. */
export function defaultResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    const q = tryParseQuantity(v);
    if (q) list[k] = formatQuantity(roundUpQuantity(q, -3));
  }
}

/** Canonical form of a single quantity field, left alone when malformed (validation reports it). */
export function canonicalizeQuantityField(o: Obj | undefined, key: string): void {
  if (!o || o[key] === undefined) return;
  const q = tryParseQuantity(o[key]);
  if (q) o[key] = formatQuantity(q);
}

/** The tag the image reference resolves to: 'latest' when none and no digest is given. */
export function imageTag(image: string): string {
  if (!image || /\s/.test(image)) return '';
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const name = colon > slash ? ref.slice(0, colon) : ref;
  const tag = colon > slash ? ref.slice(colon + 1) : '';
  // A repository path with upper-case letters does not parse; upstream then sees no tag.
  const parts = name.split('/');
  const path = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!) ? parts.slice(1) : parts;
  if (path.some((p) => /[A-Z]/.test(p))) return '';
  if (tag) return tag;
  return at >= 0 ? '' : 'latest';
}

function defaultHTTPGet(h: Obj | undefined): void {
  if (!isObj(h)) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: Obj | undefined): void {
  if (!isObj(p)) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
}

function defaultFieldRef(f: Obj | undefined): void {
  if (isObj(f) && !f.apiVersion) f.apiVersion = 'v1';
}

function defaultResourceFieldRef(r: Obj | undefined): void {
  if (!isObj(r)) return;
  if (r.divisor === undefined) r.divisor = '0';
  else canonicalizeQuantityField(r, 'divisor');
}

export function defaultContainer(c: Obj): void {
  if (!isObj(c)) return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    if (isObj(e) && isObj(e.valueFrom)) {
      defaultFieldRef(e.valueFrom.fieldRef);
      defaultResourceFieldRef(e.valueFrom.resourceFieldRef);
    }
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    if (isObj(c.lifecycle.postStart)) defaultHTTPGet(c.lifecycle.postStart.httpGet);
    if (isObj(c.lifecycle.preStop)) defaultHTTPGet(c.lifecycle.preStop.httpGet);
  }
  if (isObj(c.resources)) {
    defaultResourceList(c.resources.limits);
    defaultResourceList(c.resources.requests);
  }
}

const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;
export { VOLUME_SOURCES };

function defaultDownwardAPIItems(items: unknown): void {
  for (const it of Array.isArray(items) ? items : []) {
    if (isObj(it)) {
      defaultFieldRef(it.fieldRef);
      defaultResourceFieldRef(it.resourceFieldRef);
    }
  }
}

export function defaultPVCSpec(spec: Obj | undefined): void {
  if (!isObj(spec)) return;
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  if (isObj(spec.resources)) {
    defaultResourceList(spec.resources.requests);
    defaultResourceList(spec.resources.limits);
  }
}

export function defaultVolume(v: Obj): void {
  if (!isObj(v)) return;
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  if (isObj(v.configMap) && v.configMap.defaultMode === undefined) v.configMap.defaultMode = 420;
  if (isObj(v.secret) && v.secret.defaultMode === undefined) v.secret.defaultMode = 420;
  if (isObj(v.downwardAPI)) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = 420;
    defaultDownwardAPIItems(v.downwardAPI.items);
  }
  if (isObj(v.projected)) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = 420;
    for (const src of v.projected.sources ?? []) {
      if (!isObj(src)) continue;
      if (isObj(src.serviceAccountToken) && src.serviceAccountToken.expirationSeconds === undefined) {
        src.serviceAccountToken.expirationSeconds = 3600;
      }
      if (isObj(src.downwardAPI)) defaultDownwardAPIItems(src.downwardAPI.items);
    }
  }
  if (isObj(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
  if (isObj(v.emptyDir)) canonicalizeQuantityField(v.emptyDir, 'sizeLimit');
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate)) defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec);
  if (isObj(v.iscsi)) {
    if (!v.iscsi.iscsiInterface) v.iscsi.iscsiInterface = 'default';
  }
  if (isObj(v.rbd)) {
    if (!v.rbd.pool) v.rbd.pool = 'rbd';
    if (!v.rbd.user) v.rbd.user = 'admin';
    if (!v.rbd.keyring) v.rbd.keyring = '/etc/ceph/keyring';
  }
  if (isObj(v.azureDisk)) {
    if (!v.azureDisk.cachingMode) v.azureDisk.cachingMode = 'ReadWrite';
    if (!v.azureDisk.fsType) v.azureDisk.fsType = 'ext4';
    if (v.azureDisk.readOnly === undefined) v.azureDisk.readOnly = false;
    if (!v.azureDisk.kind) v.azureDisk.kind = 'Shared';
  }
}

/** SetDefaults_PodSpec and everything nested in it (for Pods and templates alike). */
export function defaultPodSpec(spec: Obj | undefined): void {
  if (!isObj(spec)) return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.securityContext === undefined || spec.securityContext === null) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = 30;
  }
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // v1 keeps the deprecated serviceAccount in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  if (isObj(spec.overhead)) defaultResourceList(spec.overhead);
}

/** Embedded ObjectMeta is always written with `creationTimestamp: null` upstream. */
export function defaultTemplateMetadata(tpl: Obj): void {
  if (!isObj(tpl.metadata)) tpl.metadata = {};
  if (!('creationTimestamp' in tpl.metadata)) tpl.metadata.creationTimestamp = null;
}

/** PodTemplateSpec defaults: the pod spec's; metadata is left as given. */
export function defaultPodTemplateSpec(tpl: Obj | undefined): void {
  if (!isObj(tpl)) return;
  defaultTemplateMetadata(tpl);
  if (!isObj(tpl.spec)) tpl.spec = {};
  defaultPodSpec(tpl.spec);
}

/** Pod-only defaults (SetDefaults_Pod): requests from limits, enableServiceLinks, host ports. */
export function defaultPodOnly(spec: Obj | undefined): void {
  if (!isObj(spec)) return;
  for (const list of [spec.containers, spec.initContainers]) {
    for (const c of Array.isArray(list) ? list : []) {
      if (!isObj(c) || !isObj(c.resources) || !isObj(c.resources.limits)) continue;
      if (!isObj(c.resources.requests)) c.resources.requests = {};
      for (const [k, v] of Object.entries(c.resources.limits)) {
        if (!(k in c.resources.requests)) c.resources.requests[k] = v;
      }
    }
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const list of [spec.containers, spec.initContainers]) {
      for (const c of Array.isArray(list) ? list : []) for (const p of Array.isArray(c?.ports) ? c.ports : []) if (isObj(p) && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
}
