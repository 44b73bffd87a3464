/** apps/v1 StatefulSet: NAME READY AGE; wide CONTAINERS IMAGES. */
import { age, ageColumn, column, containerCells, int, nameColumn, workloadWideColumns } from '../format.js';
import type { TablePrinter } from '../types.js';

export const statefulSetPrinter: TablePrinter = {
  columns: [nameColumn, column('Ready', 'Ready replicas out of desired replicas.'), ageColumn, ...workloadWideColumns(false)],
  cells(ss, now) {
    const [names, images] = containerCells(ss?.spec?.template?.spec?.containers);
    return [
      ss?.metadata?.name ?? '',
      `${int(ss?.status?.readyReplicas)}/${int(ss?.spec?.replicas, 1)}`,
      age(ss, now),
      names,
      images,
    ];
  },
};
