/** networking.k8s.io/v1 NetworkPolicy: policyTypes default (Ingress, plus Egress when egress rules exist); port protocol TCP. */
import { FieldPath, notSupported, required, validateLabelSelector, invalid, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { validatePortNumOrName } from '../core/pod-spec-validation.js';

const POLICY_TYPES = ['Ingress', 'Egress'];
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function validatePeers(peers: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(peers).forEach((p, i) => {
    const pp = path.index(i);
    const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => p?.[k]).length;
    if (n === 0) errs.push(required(pp, 'must specify a peer'));
    if (p?.ipBlock && (p.podSelector || p.namespaceSelector)) errs.push(invalid(pp, p, 'may not specify more than 1 peer type'));
    if (p?.podSelector) errs.push(...validateLabelSelector(p.podSelector, pp.child('podSelector')));
    if (p?.namespaceSelector) errs.push(...validateLabelSelector(p.namespaceSelector, pp.child('namespaceSelector')));
    if (p?.ipBlock && !p.ipBlock.cidr) errs.push(required(pp.child('ipBlock', 'cidr')));
  });
  return errs;
}

function validatePorts(ports: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(ports).forEach((p, i) => {
    const pp = path.index(i);
    if (p?.protocol && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(notSupported(pp.child('protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (p?.port !== undefined && p?.port !== null) errs.push(...validatePortNumOrName(p.port, pp.child('port')));
  });
  return errs;
}

export const networkPolicyStrategy: KindStrategy = {
  defaults(np: any) {
    if (!np.spec || typeof np.spec !== 'object') np.spec = {};
    const s = np.spec;
    for (const rule of [...arr(s.ingress), ...arr(s.egress)]) for (const p of arr(rule?.ports)) if (p && typeof p === 'object' && !p.protocol) p.protocol = 'TCP';
    if (arr(s.policyTypes).length === 0) s.policyTypes = arr(s.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  },
  validate(np: any): FieldError[] {
    const s = np?.spec ?? {};
    const spec = FieldPath.root('spec');
    const errs = validateLabelSelector(s.podSelector, spec.child('podSelector'));
    arr(s.ingress).forEach((r, i) => {
      const rp = spec.child('ingress').index(i);
      errs.push(...validatePorts(r?.ports, rp.child('ports')), ...validatePeers(r?.from, rp.child('from')));
    });
    arr(s.egress).forEach((r, i) => {
      const rp = spec.child('egress').index(i);
      errs.push(...validatePorts(r?.ports, rp.child('ports')), ...validatePeers(r?.to, rp.child('to')));
    });
    arr(s.policyTypes).forEach((t, i) => {
      if (!POLICY_TYPES.includes(t)) errs.push(notSupported(spec.child('policyTypes').index(i), t, POLICY_TYPES));
    });
    if (arr(s.policyTypes).length > 2) errs.push(invalid(spec.child('policyTypes'), s.policyTypes, 'may not have more than 2 values'));
    return errs;
  },
};
