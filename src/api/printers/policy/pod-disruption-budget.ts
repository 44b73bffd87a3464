/** policy/v1 PodDisruptionBudget: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE. */
import { age, ageColumn, column, int, intOrString, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

export const podDisruptionBudgetPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Min Available', 'Pods that must stay available.'),
    column('Max Unavailable', 'Pods that may be unavailable.'),
    column('Allowed Disruptions', 'Pod disruptions allowed right now.', { type: 'integer' }),
    ageColumn,
  ],
  cells(pdb, now) {
    const spec = pdb?.spec ?? {};
    return [
      pdb?.metadata?.name ?? '',
      spec.minAvailable !== undefined && spec.minAvailable !== null ? intOrString(spec.minAvailable) : 'N/A',
      spec.maxUnavailable !== undefined && spec.maxUnavailable !== null ? intOrString(spec.maxUnavailable) : 'N/A',
      int(pdb?.status?.disruptionsAllowed),
      age(pdb, now),
    ];
  },
};
