/** v1 Endpoints: port protocol defaults to TCP. */
import type { KindStrategy } from '../types.js';

export const endpointsStrategy: KindStrategy = {
  defaults(ep: any) {
    for (const ss of Array.isArray(ep.subsets) ? ep.subsets : []) {
      for (const p of Array.isArray(ss?.ports) ? ss.ports : []) if (p && typeof p === 'object' && !p.protocol) p.protocol = 'TCP';
    }
  },
};
