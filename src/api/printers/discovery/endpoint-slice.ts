/** discovery.k8s.io/v1 EndpointSlice: NAME ADDRESSTYPE PORTS ENDPOINTS AGE. */
import { age, ageColumn, column, listWithMore, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

const MAX_SHOWN = 3;

export function endpointSlicePorts(ports: any[] | undefined): string {
  const list = (ports ?? []).map((p) =>
    typeof p?.port === 'number' ? String(p.port) : typeof p?.name === 'string' ? p.name : '*',
  );
  return listWithMore(list, list.length, MAX_SHOWN);
}

export function endpointSliceEndpoints(endpoints: any[] | undefined): string {
  const list: string[] = [];
  for (const ep of endpoints ?? []) for (const a of ep?.addresses ?? []) list.push(String(a));
  return listWithMore(list, list.length, MAX_SHOWN);
}

export const endpointSlicePrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('AddressType', 'IPv4, IPv6 or FQDN.'),
    column('Ports', 'Ports of the slice.'),
    column('Endpoints', 'Endpoint addresses in the slice.'),
    ageColumn,
  ],
  cells(s, now) {
    return [s?.metadata?.name ?? '', s?.addressType ?? '', endpointSlicePorts(s?.ports), endpointSliceEndpoints(s?.endpoints), age(s, now)];
  },
};
