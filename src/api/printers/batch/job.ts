/** batch/v1 Job: NAME STATUS COMPLETIONS DURATION AGE; wide CONTAINERS IMAGES SELECTOR. */
import {
  age,
  ageColumn,
  column,
  conditionTrue,
  containerCells,
  formatHumanDuration,
  formatLabelSelector,
  int,
  nameColumn,
  parseTime,
  workloadWideColumns,
} from '../format.js';
import type { TablePrinter } from '../types.js';

/** The STATUS cell: Complete, Failed, Terminating, Suspended, FailureTarget or Running. */
export function jobStatus(job: any): string {
  const conds = job?.status?.conditions;
  if (conditionTrue(conds, 'Complete')) return 'Complete';
  if (conditionTrue(conds, 'Failed')) return 'Failed';
  if (job?.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionTrue(conds, 'Suspended')) return 'Suspended';
  if (conditionTrue(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** The COMPLETIONS cell: `succeeded/completions`, or `succeeded/1 of parallelism` for work queues. */
export function jobCompletions(job: any): string {
  const succeeded = int(job?.status?.succeeded);
  const completions = job?.spec?.completions;
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = int(job?.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** The DURATION cell: start to completion, start to now while running, "" before start. */
export function jobDuration(job: any, now: Date): string {
  const start = parseTime(job?.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job?.status?.completionTime);
  return formatHumanDuration((end ?? now.getTime()) - start);
}

export const jobPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Status', 'Overall state of the job.'),
    column('Completions', 'Succeeded pods out of the required completions.'),
    column('Duration', 'How long the job ran, or has been running.'),
    ageColumn,
    ...workloadWideColumns(),
  ],
  cells(job, now) {
    const [names, images] = containerCells(job?.spec?.template?.spec?.containers);
    return [
      job?.metadata?.name ?? '',
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      age(job, now),
      names,
      images,
      formatLabelSelector(job?.spec?.selector),
    ];
  },
};
