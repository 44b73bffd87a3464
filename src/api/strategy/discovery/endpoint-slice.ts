/** discovery.k8s.io/v1 EndpointSlice: port protocol TCP; addressType required and immutable; endpoints need addresses. */
import { FieldPath, notSupported, required, validateImmutableField, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

export const endpointSliceStrategy: KindStrategy = {
  defaults(es: any) {
    for (const p of arr(es.ports)) if (p && typeof p === 'object' && !p.protocol) p.protocol = 'TCP';
  },
  validate(es: any): FieldError[] {
    const errs: FieldError[] = [];
    if (!es?.addressType) errs.push(required('addressType'));
    else if (!ADDRESS_TYPES.includes(es.addressType)) errs.push(notSupported('addressType', es.addressType, ADDRESS_TYPES));
    arr(es?.endpoints).forEach((ep, i) => {
      const p = FieldPath.root('endpoints').index(i).child('addresses');
      if (arr(ep?.addresses).length === 0) errs.push(required(p, 'must contain at least 1 address'));
    });
    arr(es?.ports).forEach((port, i) => {
      const p = FieldPath.root('ports').index(i);
      if (port?.protocol && !['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
    });
    return errs;
  },
  validateUpdate(es: any, old: any) {
    return validateImmutableField(es?.addressType, old?.addressType, 'addressType');
  },
};
