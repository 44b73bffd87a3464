/** core/v1 Service: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE; wide SELECTOR. */
import { age, ageColumn, column, formatLabels, nameColumn, unique } from '../format.js';
import type { TablePrinter } from '../types.js';

/** Load-balancer ingress points: IP, else hostname, without duplicates. */
export function loadBalancerAddresses(status: any): string[] {
  const out: string[] = [];
  for (const ing of status?.loadBalancer?.ingress ?? []) {
    if (ing?.ip) out.push(ing.ip);
    else if (ing?.hostname) out.push(ing.hostname);
  }
  return unique(out);
}

/** The EXTERNAL-IP cell. */
export function serviceExternalIP(svc: any): string {
  const spec = svc?.spec ?? {};
  const externalIPs: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc?.status);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** The PORT(S) cell: `80/TCP`, `80:30080/TCP`, comma-joined, or "<none>". */
export function servicePorts(ports: any[] | undefined): string {
  const pieces = (ports ?? []).map((p) => {
    const proto = p?.protocol ?? 'TCP';
    return p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${proto}` : `${p?.port}/${proto}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

export const servicePrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Type', 'How the service is exposed.'),
    column('Cluster-IP', 'Virtual IP inside the cluster.'),
    column('External-IP', 'Addresses reachable from outside the cluster.'),
    column('Port(s)', 'Service ports, with node ports where allocated.'),
    ageColumn,
    column('Selector', 'Labels of the pods that back the service.', { priority: 1 }),
  ],
  cells(svc, now) {
    const spec = svc?.spec ?? {};
    const clusterIP = spec.clusterIPs?.[0] || spec.clusterIP || '<none>';
    return [
      svc?.metadata?.name ?? '',
      spec.type ?? 'ClusterIP',
      clusterIP,
      serviceExternalIP(svc),
      servicePorts(spec.ports),
      age(svc, now),
      formatLabels(spec.selector),
    ];
  },
};
