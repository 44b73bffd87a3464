/**
 * v1 Service: defaults (type ClusterIP, sessionAffinity None, port protocol TCP, targetPort = port,
 * traffic policies, single-stack IPv4) and validation (DNS-1035 name, ports, type-specific rules).
 * Allocating clusterIP and nodePorts is the server's job, as is carrying them over on update.
 */
import {
  FieldPath,
  duplicate,
  forbidden,
  invalid,
  isDNS1123Subdomain,
  isValidPortNum,
  nameIsDNS1035Label,
  notSupported,
  required,
  validateLabels,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { PROTOCOLS, validateDNS1123Label, validatePortNumOrName } from './pod-spec-validation.js';

const spec = FieldPath.root('spec');
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function externallyAccessible(s: any): boolean {
  return (
    s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && Array.isArray(s.externalIPs) && s.externalIPs.length > 0)
  );
}

const isHeadless = (s: any): boolean => s.clusterIP === 'None' || (Array.isArray(s.clusterIPs) && s.clusterIPs[0] === 'None');

function defaults(svc: any): void {
  if (!svc.spec || typeof svc.spec !== 'object') svc.spec = {};
  const s = svc.spec;
  if (!s.sessionAffinity) s.sessionAffinity = 'None';
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP' && typeof s.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    s.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!s.type) s.type = 'ClusterIP';
  for (const p of Array.isArray(s.ports) ? s.ports : []) {
    if (!p || typeof p !== 'object') continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(s) && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
  if (!s.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(s.type)) s.internalTrafficPolicy = 'Cluster';
  if (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts === undefined) s.allocateLoadBalancerNodePorts = true;
  if (s.type !== 'ExternalName') {
    if (s.clusterIP && !s.clusterIPs) s.clusterIPs = [s.clusterIP];
    if (!s.clusterIP && Array.isArray(s.clusterIPs) && s.clusterIPs.length > 0) s.clusterIP = s.clusterIPs[0];
    if (!s.ipFamilyPolicy) s.ipFamilyPolicy = 'SingleStack';
    if (!Array.isArray(s.ipFamilies) || s.ipFamilies.length === 0) s.ipFamilies = ['IPv4'];
  }
}

function validate(svc: any): FieldError[] {
  const errs: FieldError[] = [];
  const s = svc?.spec ?? {};
  const ports: any[] = Array.isArray(s.ports) ? s.ports : [];
  if (ports.length === 0 && !isHeadless(s) && s.type !== 'ExternalName') errs.push(required(spec.child('ports')));
  if (s.type === 'LoadBalancer' || s.type === 'NodePort') {
    if (isHeadless(s)) errs.push(invalid(spec.child('clusterIPs').index(0), 'None', `may not be set to 'None' for ${s.type} services`));
  } else if (s.type === 'ExternalName') {
    if (Array.isArray(s.clusterIPs) && s.clusterIPs.length > 0) errs.push(forbidden(spec.child('clusterIPs'), 'may not be set for ExternalName services'));
    if (Array.isArray(s.ipFamilies) && s.ipFamilies.length > 0) errs.push(forbidden(spec.child('ipFamilies'), 'may not be set for ExternalName services'));
    if (s.ipFamilyPolicy) errs.push(forbidden(spec.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    const cname = String(s.externalName ?? '').replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalid(spec.child('externalName'), cname, m));
    else errs.push(required(spec.child('externalName')));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = spec.child('ports').index(i);
    if (ports.length > 1 && !p?.name) errs.push(required(pp.child('name')));
    else if (p?.name) {
      errs.push(...validateDNS1123Label(String(p.name), pp.child('name')));
      if (names.has(p.name)) errs.push(duplicate(pp.child('name'), p.name));
      else names.add(p.name);
    }
    for (const m of isValidPortNum(p?.port)) errs.push(invalid(pp.child('port'), p?.port ?? 0, m));
    if (!p?.protocol) errs.push(required(pp.child('protocol')));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(pp.child('protocol'), p.protocol, PROTOCOLS));
    errs.push(...validatePortNumOrName(p?.targetPort, pp.child('targetPort')));
  });
  if (s.selector) errs.push(...validateLabels(s.selector, spec.child('selector')));
  if (!s.sessionAffinity) errs.push(required(spec.child('sessionAffinity')));
  else if (!['ClientIP', 'None'].includes(s.sessionAffinity)) errs.push(notSupported(spec.child('sessionAffinity'), s.sessionAffinity, ['ClientIP', 'None']));
  if (s.sessionAffinity === 'ClientIP') {
    const t = s.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (typeof t === 'number' && (t <= 0 || t > 86400)) {
      errs.push(invalid(spec.child('sessionAffinityConfig', 'clientIP', 'timeoutSeconds'), t, 'must be greater than 0 and less than 86400'));
    }
  }
  if (!s.type) errs.push(required(spec.child('type')));
  else if (!TYPES.includes(s.type)) errs.push(notSupported(spec.child('type'), s.type, TYPES));
  if (s.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p?.nodePort) errs.push(forbidden(spec.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p?.nodePort) return;
    for (const m of isValidPortNum(p.nodePort)) errs.push(invalid(spec.child('ports').index(i).child('nodePort'), p.nodePort, m));
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(spec.child('ports').index(i).child('nodePort'), p.nodePort));
    nodePorts.add(key);
  });
  if (!externallyAccessible(s)) {
    if (s.externalTrafficPolicy) {
      errs.push(invalid(spec.child('externalTrafficPolicy'), s.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    }
  } else if (!s.externalTrafficPolicy) errs.push(required(spec.child('externalTrafficPolicy')));
  else if (!['Cluster', 'Local'].includes(s.externalTrafficPolicy)) {
    errs.push(notSupported(spec.child('externalTrafficPolicy'), s.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (s.internalTrafficPolicy && !['Cluster', 'Local'].includes(s.internalTrafficPolicy)) {
    errs.push(notSupported(spec.child('internalTrafficPolicy'), s.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (s.ipFamilyPolicy && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(s.ipFamilyPolicy)) {
    errs.push(notSupported(spec.child('ipFamilyPolicy'), s.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack']));
  }
  return errs;
}

function validateUpdate(svc: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const n = svc?.spec ?? {};
  const o = old?.spec ?? {};
  if (n.type === 'ExternalName' || o.type === 'ExternalName') return errs;
  if (isHeadless(n) && isHeadless(o)) return errs;
  const ni: string[] = n.clusterIPs ?? [];
  const oi: string[] = o.clusterIPs ?? [];
  // A request without cluster IPs keeps the allocated ones (the server copies them over).
  if (ni.length === 0) return errs;
  if (ni.length === oi.length) {
    oi.forEach((ip, i) => {
      if (ip !== ni[i]) errs.push(invalid(spec.child('clusterIPs').index(i), ni, 'may not change once set'));
    });
  } else if (ni.length < oi.length && ni[0] !== oi[0]) {
    errs.push(invalid(spec.child('clusterIPs').index(0), ni, 'may not change once set'));
  } else if (ni.length > oi.length && oi.length > 0 && ni[0] !== oi[0]) {
    errs.push(invalid(spec.child('clusterIPs').index(0), ni, 'may not change once set'));
  }
  return errs;
}

export const serviceStrategy: KindStrategy = { nameValidator: nameIsDNS1035Label, defaults, validate, validateUpdate };
