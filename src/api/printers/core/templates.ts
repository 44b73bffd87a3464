/** core/v1 ReplicationController (NAME DESIRED CURRENT READY AGE; wide CONTAINERS IMAGES SELECTOR) and PodTemplate. */
import { replicasPrinter } from '../apps/replica-set.js';
import { column, containerCells, formatLabels, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

export const replicationControllerPrinter: TablePrinter = replicasPrinter(formatLabels);

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
