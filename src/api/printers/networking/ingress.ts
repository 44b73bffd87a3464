/** networking.k8s.io/v1 Ingress (NAME CLASS HOSTS ADDRESS PORTS AGE), IngressClass and NetworkPolicy. */
import { age, ageColumn, column, formatLabelSelector, nameColumn, unique } from '../format.js';
import type { TablePrinter } from '../types.js';

const MAX_HOSTS = 3;

/** Up to three rule hosts, then " + N more..."; "*" when no rule names a host. */
export function ingressHosts(rules: any[] | undefined): string {
  const list: string[] = [];
  const all = rules ?? [];
  let more = false;
  for (const rule of all) {
    if (list.length === MAX_HOSTS) more = true;
    if (!more && rule?.host) list.push(String(rule.host));
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${all.length - MAX_HOSTS} more...` : ret;
}

export const ingressPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Class', 'IngressClass that handles this ingress.'),
    column('Hosts', 'Hosts the rules match.'),
    column('Address', 'Addresses of the load balancer serving the ingress.'),
    column('Ports', 'Ports served: 80, plus 443 with TLS.'),
    ageColumn,
  ],
  cells(ing, now) {
    const addresses: string[] = [];
    for (const lb of ing?.status?.loadBalancer?.ingress ?? []) {
      if (lb?.ip) addresses.push(lb.ip);
      else if (lb?.hostname) addresses.push(lb.hostname);
    }
    return [
      ing?.metadata?.name ?? '',
      ing?.spec?.ingressClassName ?? '<none>',
      ingressHosts(ing?.spec?.rules),
      unique(addresses).join(','),
      (ing?.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ];
  },
};

export const ingressClassPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Controller', 'Controller that implements the class.'),
    column('Parameters', 'Resource holding extra configuration, as Kind.group/name.'),
    ageColumn,
  ],
  cells(ic, now) {
    const p = ic?.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${p.kind ?? ''}${p.apiGroup ? '.' + p.apiGroup : ''}/${p.name ?? ''}`;
    return [ic?.metadata?.name ?? '', ic?.spec?.controller ?? '', parameters, age(ic, now)];
  },
};

export const networkPolicyPrinter: TablePrinter = {
  columns: [nameColumn, column('Pod-Selector', 'Pods the policy applies to.'), ageColumn],
  cells(np, now) {
    return [np?.metadata?.name ?? '', formatLabelSelector(np?.spec?.podSelector ?? {}), age(np, now)];
  },
};
