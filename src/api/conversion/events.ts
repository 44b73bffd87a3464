/**
 * events.k8s.io/v1 Event <-> core v1 Event. events.k8s.io Events are the core Events seen through
 * another version: stored as core v1, served as either. The mapping follows upstream's
 * pkg/apis/events/v1 conversion: fields of the same name carry over (eventTime, series, action,
 * reason, related, type, reportingInstance), reportingController is the core reportingComponent,
 * and the renamed fields map one to one (regarding/involvedObject, note/message,
 * deprecatedSource/source, deprecatedFirstTimestamp/firstTimestamp,
 * deprecatedLastTimestamp/lastTimestamp, deprecatedCount/count). Nothing is derived from another
 * field (source.component does not fill reportingController), as upstream.
 */
import type { Conversion } from './index.js';

/** Fields with the same name in both versions. */
const SAME = ['eventTime', 'series', 'action', 'reason', 'related', 'type', 'reportingInstance'] as const;

/** [events.k8s.io/v1 name, core v1 name] */
const RENAMED: ReadonlyArray<readonly [string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function copyFields(from: any, to: Record<string, unknown>, pairs: ReadonlyArray<readonly [string, string]>): void {
  for (const [src, dst] of pairs) if (from?.[src] !== undefined) to[dst] = from[src];
}

const SAME_PAIRS = SAME.map((f) => [f, f] as const);

/** An events.k8s.io/v1 Event as the core v1 Event it is stored as. */
export function eventsV1ToCore(ev: any): any {
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Event' };
  if (ev?.metadata !== undefined) out.metadata = ev.metadata;
  copyFields(ev, out, SAME_PAIRS);
  copyFields(ev, out, RENAMED);
  // The core ObjectReference is a struct, never absent.
  out.involvedObject ??= {};
  return out;
}

/** A stored core v1 Event as an events.k8s.io/v1 Event. */
export function coreToEventsV1(ev: any): any {
  const out: Record<string, unknown> = { apiVersion: 'events.k8s.io/v1', kind: 'Event' };
  if (ev?.metadata !== undefined) out.metadata = ev.metadata;
  copyFields(ev, out, SAME_PAIRS);
  copyFields(ev, out, RENAMED.map(([a, b]) => [b, a] as const));
  return out;
}

export const eventsConversion: Conversion = {
  toStorage(obj, version) {
    return version === 'v1' ? eventsV1ToCore(obj) : { ...obj, apiVersion: 'v1' };
  },
  fromStorage(obj, version) {
    return version === 'v1' ? coreToEventsV1(obj) : { ...obj, apiVersion: `events.k8s.io/${version}` };
  },
};
