/** apps/v1 Deployment: NAME READY UP-TO-DATE AVAILABLE AGE; wide CONTAINERS IMAGES SELECTOR. */
import { age, ageColumn, column, containerCells, int, labelSelectorString, nameColumn, workloadWideColumns } from '../format.js';
import type { TablePrinter } from '../types.js';

export const deploymentPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Ready', 'Ready replicas out of desired replicas.'),
    column('Up-to-date', 'Replicas running the latest pod template.'),
    column('Available', 'Replicas available to serve.'),
    ageColumn,
    ...workloadWideColumns(),
  ],
  cells(d, now) {
    let selector: string;
    try {
      selector = labelSelectorString(d?.spec?.selector);
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = containerCells(d?.spec?.template?.spec?.containers);
    return [
      d?.metadata?.name ?? '',
      `${int(d?.status?.readyReplicas)}/${int(d?.spec?.replicas, 1)}`,
      int(d?.status?.updatedReplicas),
      int(d?.status?.availableReplicas),
      age(d, now),
      names,
      images,
      selector,
    ];
  },
};
