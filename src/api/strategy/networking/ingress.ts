/** networking.k8s.io/v1 Ingress: rules or a default backend; every path needs a pathType and a backend. */
import {
  FieldPath,
  invalid,
  isDNS1035Label,
  isDNS1123Subdomain,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  notSupported,
  required,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];

function validateBackend(b: any, path: FieldPath): FieldError[] {
  const hasResource = !!b?.resource;
  const hasService = !!b?.service;
  if (hasResource && hasService) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const errs: FieldError[] = [];
    if (!b.resource.kind) errs.push(required(path.child('resource', 'kind')));
    if (!b.resource.name) errs.push(required(path.child('resource', 'name')));
    return errs;
  }
  if (!hasService) return [invalid(path, '', 'resource or service backend is required')];
  const sp = path.child('service');
  const errs: FieldError[] = [];
  if (!b.service.name) errs.push(required(sp.child('name')));
  else for (const m of isDNS1035Label(b.service.name)) errs.push(invalid(sp.child('name'), b.service.name, m));
  const name = b.service.port?.name;
  const num = b.service.port?.number;
  if (name && num) errs.push(invalid(sp, '', 'cannot set both port name & port number'));
  else if (name) for (const m of isValidPortName(name)) errs.push(invalid(sp.child('port', 'name'), name, m));
  else if (num) for (const m of isValidPortNum(num)) errs.push(invalid(sp.child('port', 'number'), num, m));
  else errs.push(required(sp, 'port name or port number is required'));
  return errs;
}

function validatePath(p: any, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const pt = p?.pathType;
  if (!pt) errs.push(required(path.child('pathType'), 'pathType must be specified'));
  else if (!PATH_TYPES.includes(pt)) errs.push(notSupported(path.child('pathType'), pt, PATH_TYPES));
  const value = String(p?.path ?? '');
  if (pt === 'Exact' || pt === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
    for (const seq of BAD_SEQUENCES) if (value.includes(seq)) errs.push(invalid(path.child('path'), value, `must not contain '${seq}'`));
    for (const suf of BAD_SUFFIXES) if (value.endsWith(suf)) errs.push(invalid(path.child('path'), value, `cannot end with '${suf}'`));
  } else if (pt === 'ImplementationSpecific' && value && !value.startsWith('/')) {
    errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
  }
  errs.push(...validateBackend(p?.backend, path.child('backend')));
  return errs;
}

export const ingressStrategy: KindStrategy = {
  validate(ing: any): FieldError[] {
    const s = ing?.spec ?? {};
    const spec = FieldPath.root('spec');
    const errs: FieldError[] = [];
    const rules: any[] = Array.isArray(s.rules) ? s.rules : [];
    if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, spec.child('defaultBackend')));
    else if (rules.length === 0) errs.push(invalid(spec.child('rules'), rules, 'either `defaultBackend` or `rules` must be specified'));
    rules.forEach((r, i) => {
      const rp = spec.child('rules').index(i);
      if (r?.host) {
        const host = String(r.host);
        if (isValidIP(host)) errs.push(invalid(rp.child('host'), host, 'must be a DNS name, not an IP address'));
        const check = host.startsWith('*.') ? host.slice(2) : host;
        for (const m of isDNS1123Subdomain(check)) errs.push(invalid(rp.child('host'), host, m));
      }
      if (r?.http) {
        const paths: any[] = Array.isArray(r.http.paths) ? r.http.paths : [];
        if (paths.length === 0) errs.push(required(rp.child('http', 'paths')));
        paths.forEach((p, j) => errs.push(...validatePath(p, rp.child('http', 'paths').index(j))));
      }
    });
    (Array.isArray(s.tls) ? s.tls : []).forEach((t: any, i: number) => {
      (Array.isArray(t?.hosts) ? t.hosts : []).forEach((h: string, j: number) => {
        const check = String(h).startsWith('*.') ? String(h).slice(2) : String(h);
        for (const m of isDNS1123Subdomain(check)) errs.push(invalid(spec.child('tls').index(i).child('hosts').index(j), h, m));
      });
    });
    return errs;
  },
};
