/** apps/v1 DaemonSet: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE; wide CONTAINERS IMAGES SELECTOR. */
import {
  age,
  ageColumn,
  column,
  containerCells,
  formatLabelSelector,
  formatLabels,
  int,
  nameColumn,
  workloadWideColumns,
} from '../format.js';
import type { TablePrinter } from '../types.js';

export const daemonSetPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Desired', 'Nodes that should run the daemon pod.', { type: 'integer' }),
    column('Current', 'Nodes running at least one daemon pod.', { type: 'integer' }),
    column('Ready', 'Nodes whose daemon pod is ready.', { type: 'integer' }),
    column('Up-to-date', 'Nodes running the latest pod template.', { type: 'integer' }),
    column('Available', 'Nodes whose daemon pod is available.', { type: 'integer' }),
    column('Node Selector', 'Node labels the pods are restricted to.'),
    ageColumn,
    ...workloadWideColumns(),
  ],
  cells(ds, now) {
    const st = ds?.status ?? {};
    const [names, images] = containerCells(ds?.spec?.template?.spec?.containers);
    return [
      ds?.metadata?.name ?? '',
      int(st.desiredNumberScheduled),
      int(st.currentNumberScheduled),
      int(st.numberReady),
      int(st.updatedNumberScheduled),
      int(st.numberAvailable),
      formatLabels(ds?.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      names,
      images,
      formatLabelSelector(ds?.spec?.selector),
    ];
  },
};
