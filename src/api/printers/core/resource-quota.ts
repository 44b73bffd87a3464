/** core/v1 ResourceQuota: NAME AGE REQUEST LIMIT, each entry `resource: used/hard`. */
import { age, ageColumn, column, nameColumn, quantity } from '../format.js';
import type { TablePrinter } from '../types.js';

export const resourceQuotaPrinter: TablePrinter = {
  columns: [
    nameColumn,
    ageColumn,
    column('Request', 'Used and hard amounts of every non-limit resource.'),
    column('Limit', 'Used and hard amounts of every limits.* resource.'),
  ],
  cells(rq, now) {
    const hard: Record<string, unknown> = rq?.status?.hard ?? {};
    const used: Record<string, unknown> = rq?.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const entry = `${name}: ${quantity(used[name])}/${quantity(hard[name])}`;
      const pieces = name.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
    }
    return [rq?.metadata?.name ?? '', age(rq, now), requests.join(', '), limits.join(', ')];
  },
};
