/** batch/v1 CronJob: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE; wide CONTAINERS IMAGES SELECTOR. */
import {
  age,
  ageColumn,
  boolPtr,
  column,
  containerCells,
  formatLabelSelector,
  humanDuration,
  nameColumn,
  workloadWideColumns,
} from '../format.js';
import type { TablePrinter } from '../types.js';

export const cronJobPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Schedule', 'Cron schedule.'),
    column('Timezone', 'Time zone the schedule is read in.'),
    column('Suspend', 'Whether new runs are suspended.', { type: 'boolean' }),
    column('Active', 'Jobs currently running.', { type: 'integer' }),
    column('Last Schedule', 'Time since a job was last scheduled.'),
    ageColumn,
    ...workloadWideColumns(),
  ],
  cells(cj, now) {
    const spec = cj?.spec ?? {};
    const jobSpec = spec.jobTemplate?.spec ?? {};
    const [names, images] = containerCells(jobSpec.template?.spec?.containers);
    const last = cj?.status?.lastScheduleTime ? humanDuration(cj.status.lastScheduleTime, now) : '<none>';
    return [
      cj?.metadata?.name ?? '',
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      boolPtr(spec.suspend ?? false), // the API defaults suspend to false
      (cj?.status?.active ?? []).length,
      last,
      age(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};
