/**
 * EventRecorder: writes core/v1 Events about an object, as client-go's record.EventRecorder does
 * for controllers (source.component and reportingComponent = the component, e.g. "job-controller").
 * A repeat of the same event (same object, type, reason and message) within ten minutes bumps
 * count and lastTimestamp of the Event already written instead of creating another one, so
 * `kubectl describe` shows "(x2 over 12m)". `event` logs failures and never throws (events are best
 * effort); `record` is the same write for callers that handle the failure themselves.
 */
import type { KObject, KubeClient, ResourceRef } from './rest-client.js';

const EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' };
const REPEAT_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED = 4096;

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  component: string;
  /** reportingInstance of the Events written (default ""). */
  instance?: string;
  log?: (msg: string) => void;
  now?: () => Date;
}

interface Written {
  namespace: string;
  name: string;
  count: number;
  first: string;
  at: number;
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

export class EventRecorder {
  private readonly written = new Map<string, Written>();
  private readonly log: (msg: string) => void;
  private readonly now: () => Date;

  constructor(private readonly client: KubeClient, private readonly opts: EventRecorderOptions) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? (() => new Date());
  }

  /** Records an Event about `obj` (which needs kind, apiVersion and metadata). Never throws. */
  async event(obj: KObject, type: EventType, reason: string, message: string): Promise<void> {
    try {
      await this.record(obj, type, reason, message);
    } catch (err) {
      this.log(`${this.opts.component}: event ${reason} on ${obj.metadata?.namespace}/${obj.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Records an Event about `obj` like `event`, but rejects when the write fails. */
  async record(obj: KObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = obj.metadata ?? {};
    const ns = meta.namespace || 'default';
    const now = this.now();
    const key = [meta.uid, obj.kind, ns, meta.name, type, reason, message].join('\u0000');
    const prev = this.written.get(key);
    if (prev && now.getTime() - prev.at < REPEAT_WINDOW_MS) {
      prev.count++;
      prev.at = now.getTime();
      try {
        await this.client.patch(EVENTS, prev.namespace, prev.name, 'merge', { count: prev.count, lastTimestamp: rfc3339(now) });
        return;
      } catch {
        // Gone (e.g. expired): write a new one.
      }
    }
    const name = `${meta.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
    const ts = rfc3339(now);
    await this.client.create(EVENTS, ns, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, namespace: meta.namespace, name: meta.name, uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.opts.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance ?? '',
    });
    if (this.written.size >= MAX_REMEMBERED) this.written.delete(this.written.keys().next().value!);
    this.written.set(key, { namespace: ns, name, count: 1, first: ts, at: now.getTime() });
  }
}
