/** core/v1 Endpoints: NAME ENDPOINTS AGE. */
import { age, ageColumn, column, joinHostPort, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

const MAX_SHOWN = 3;

/** Up to three `ip:port` pairs (bare IPs for port-less subsets), then " + N more...", or "<none>". */
export function formatEndpoints(ep: any): string {
  const subsets: any[] = ep?.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) if (list.length < MAX_SHOWN) list.push(String(a?.ip ?? ''));
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length < MAX_SHOWN) list.push(joinHostPort(String(a?.ip ?? ''), port?.port ?? 0));
      }
    }
  }
  const ret = list.join(',');
  return count > MAX_SHOWN ? `${ret} + ${count - MAX_SHOWN} more...` : ret;
}

export const endpointsPrinter: TablePrinter = {
  columns: [nameColumn, column('Endpoints', 'Ready addresses and ports behind the service.'), ageColumn],
  cells(ep, now) {
    return [ep?.metadata?.name ?? '', formatEndpoints(ep), age(ep, now)];
  },
};
