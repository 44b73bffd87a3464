/**
 * apps/v1 ReplicaSet: NAME DESIRED CURRENT READY AGE; wide CONTAINERS IMAGES SELECTOR. The same
 * table serves core/v1 ReplicationController, whose selector is a plain label map.
 */
import { age, ageColumn, column, containerCells, formatLabelSelector, int, nameColumn, workloadWideColumns } from '../format.js';
import type { TablePrinter } from '../types.js';

/** The ReplicaSet/ReplicationController table, with `selector` formatting spec.selector. */
export function replicasPrinter(selector: (sel: any) => string): TablePrinter {
  return {
    columns: [
      nameColumn,
      column('Desired', 'Requested number of replicas.', { type: 'integer' }),
      column('Current', 'Replicas that currently exist.', { type: 'integer' }),
      column('Ready', 'Replicas that are ready.', { type: 'integer' }),
      ageColumn,
      ...workloadWideColumns(),
    ],
    cells(rs, now) {
      const [names, images] = containerCells(rs?.spec?.template?.spec?.containers);
      return [
        rs?.metadata?.name ?? '',
        int(rs?.spec?.replicas, 1),
        int(rs?.status?.replicas),
        int(rs?.status?.readyReplicas),
        age(rs, now),
        names,
        images,
        selector(rs?.spec?.selector),
      ];
    },
  };
}

export const replicaSetPrinter: TablePrinter = replicasPrinter(formatLabelSelector);
