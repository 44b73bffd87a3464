/** core/v1 ReplicationController (NAME DESIRED CURRENT READY AGE; wide CONTAINERS IMAGES SELECTOR) and PodTemplate. */
import { age, ageColumn, column, containerCells, formatLabels, int, nameColumn, workloadWideColumns } from '../format.js';
import type { TablePrinter } from '../types.js';

export const replicationControllerPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Desired', 'Requested number of replicas.', { type: 'integer' }),
    column('Current', 'Replicas that currently exist.', { type: 'integer' }),
    column('Ready', 'Replicas that are ready.', { type: 'integer' }),
    ageColumn,
    ...workloadWideColumns(),
  ],
  cells(rc, now) {
    const [names, images] = containerCells(rc?.spec?.template?.spec?.containers);
    return [
      rc?.metadata?.name ?? '',
      int(rc?.spec?.replicas, 1),
      int(rc?.status?.replicas),
      int(rc?.status?.readyReplicas),
      age(rc, now),
      names,
      images,
      formatLabels(rc?.spec?.selector),
    ];
  },
};

export const podTemplatePrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Containers', 'Container names in the template.'),
    column('Images', 'Container images in the template.'),
    column('Pod Labels', 'Labels the template gives its pods.'),
  ],
  cells(pt, _now) {
    const [names, images] = containerCells(pt?.template?.spec?.containers);
    return [pt?.metadata?.name ?? '', names, images, formatLabels(pt?.template?.metadata?.labels)];
  },
};
