/** node.k8s.io/v1 RuntimeClass: NAME HANDLER AGE. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

export const runtimeClassPrinter: TablePrinter = {
  columns: [nameColumn, column('Handler', 'CRI handler that runs pods of this class.'), ageColumn],
  cells(rc, now) {
    return [rc?.metadata?.name ?? '', rc?.handler ?? '', age(rc, now)];
  },
};
