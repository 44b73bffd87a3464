/** Content negotiation: which representation the client asked for in Accept. */

export type Representation = 'object' | 'table' | 'partial';

export interface Negotiated {
  as: Representation;
  /** The Accept asked for the aggregated discovery document. */
  aggregatedDiscovery?: 'v2' | 'v2beta1';
}

/** Parses an Accept header; the first supported entry wins, as upstream. */
export function negotiate(accept: string | undefined): Negotiated {
  if (!accept) return { as: 'object' };
  for (const raw of accept.split(',')) {
    const [type, ...params] = raw.trim().split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
    }
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*' && type !== 'application/vnd.kubernetes.protobuf' && type !== 'application/yaml') continue;
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) return { as: 'table' };
    if ((p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') && p.g === 'meta.k8s.io') return { as: 'partial' };
    if (p.as === 'APIGroupDiscoveryList' && p.g === 'apidiscovery.k8s.io' && (p.v === 'v2' || p.v === 'v2beta1')) {
      return { as: 'object', aggregatedDiscovery: p.v };
    }
    if (p.as) continue;
    return { as: 'object' };
  }
  return { as: 'object' };
}
