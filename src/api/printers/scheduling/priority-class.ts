/** scheduling.k8s.io/v1 PriorityClass: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY. */
import { age, ageColumn, column, int, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

export const priorityClassPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Value', 'Priority given to pods of this class.', { type: 'integer' }),
    column('Global-Default', 'Whether pods without a class get this one.', { type: 'boolean' }),
    ageColumn,
    column('PreemptionPolicy', 'Whether pods of this class may preempt others.'),
  ],
  cells(pc, now) {
    return [pc?.metadata?.name ?? '', int(pc?.value), pc?.globalDefault === true, age(pc, now), pc?.preemptionPolicy ?? 'PreemptLowerPriority'];
  },
};
