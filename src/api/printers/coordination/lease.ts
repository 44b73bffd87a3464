/** coordination.k8s.io/v1 Lease: NAME HOLDER AGE. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

export const leasePrinter: TablePrinter = {
  columns: [nameColumn, column('Holder', 'Identity currently holding the lease.'), ageColumn],
  cells(lease, now) {
    return [lease?.metadata?.name ?? '', lease?.spec?.holderIdentity ?? '', age(lease, now)];
  },
};
