/** events.k8s.io/v1 Event: printed like core/v1 Event after mapping its fields to the core names. */
import { eventCells, eventPrinter } from '../core/event.js';
import type { TablePrinter } from '../types.js';

/** An events.k8s.io/v1 Event in core/v1 field names. */
export function toCoreEvent(ev: any): any {
  return {
    metadata: ev?.metadata,
    involvedObject: ev?.regarding ?? {},
    reason: ev?.reason,
    message: ev?.note,
    source: ev?.deprecatedSource,
    firstTimestamp: ev?.deprecatedFirstTimestamp,
    lastTimestamp: ev?.deprecatedLastTimestamp,
    count: ev?.deprecatedCount,
    type: ev?.type,
    eventTime: ev?.eventTime,
    series: ev?.series,
    reportingComponent: ev?.reportingController,
    reportingInstance: ev?.reportingInstance,
  };
}

export const eventsV1EventPrinter: TablePrinter = {
  columns: eventPrinter.columns,
  cells(ev, now) {
    return eventCells(toCoreEvent(ev), now);
  },
};
