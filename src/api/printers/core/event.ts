/**
 * core/v1 Event: LAST SEEN TYPE REASON OBJECT MESSAGE; wide SUBOBJECT SOURCE FIRST SEEN COUNT NAME.
 * Upstream puts the Name column last (wide only) for events, so this table does not start with Name.
 */
import { column, humanDuration, parseTime } from '../format.js';
import type { TablePrinter } from '../types.js';

function since(ts: unknown, now: Date): string {
  return humanDuration(typeof ts === 'string' ? ts : undefined, now);
}

function eventSource(ev: any): string {
  const component = ev?.source?.component || ev?.reportingComponent || ev?.reportingController || '';
  const host = ev?.source?.host || ev?.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

/** Cells for a core/v1-shaped event. */
export function eventCells(ev: any, now: Date): unknown[] {
  let first = since(ev?.firstTimestamp, now);
  if (parseTime(ev?.firstTimestamp) === undefined) first = since(ev?.eventTime, now);
  let last = since(ev?.lastTimestamp, now);
  if (parseTime(ev?.lastTimestamp) === undefined) last = first;
  let count: number = typeof ev?.count === 'number' ? ev.count : 0;
  if (ev?.series) {
    last = since(ev.series.lastObservedTime, now);
    count = typeof ev.series.count === 'number' ? ev.series.count : 0;
  } else if (count === 0) {
    count = 1;
  }
  const involved = ev?.involvedObject ?? {};
  const kind = String(involved.kind ?? '').toLowerCase();
  const target = involved.name ? `${kind}/${involved.name}` : kind;
  return [
    last,
    ev?.type ?? '',
    ev?.reason ?? '',
    target,
    involved.fieldPath ?? '',
    eventSource(ev),
    String(ev?.message ?? '').trim(),
    first,
    count,
    ev?.metadata?.name ?? '',
  ];
}

export const eventPrinter: TablePrinter = {
  columns: [
    column('Last Seen', 'Time since the event was last observed.'),
    column('Type', 'Normal or Warning.'),
    column('Reason', 'Short machine-readable cause of the event.'),
    column('Object', 'Object the event is about, as kind/name.'),
    column('Subobject', 'Field path within the object, such as a container.', { priority: 1 }),
    column('Source', 'Component (and host) that reported the event.', { priority: 1 }),
    column('Message', 'Human-readable description of the event.'),
    column('First Seen', 'Time since the event was first observed.', { priority: 1 }),
    column('Count', 'How many times the event has occurred.', { priority: 1 }),
    column('Name', 'Name of the event object.', { priority: 1, format: 'name' }),
  ],
  cells: eventCells,
};
