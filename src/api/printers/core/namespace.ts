/** core/v1 Namespace: NAME STATUS AGE. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

export const namespacePrinter: TablePrinter = {
  columns: [nameColumn, column('Status', 'Lifecycle phase of the namespace.'), ageColumn],
  cells(ns, now) {
    // The API always sets a phase; an object stored without one reads as Active (or Terminating).
    const phase = ns?.status?.phase || (ns?.metadata?.deletionTimestamp ? 'Terminating' : 'Active');
    return [ns?.metadata?.name ?? '', phase, age(ns, now)];
  },
};
