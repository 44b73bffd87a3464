/**
 * A small event recorder (client-go's, without aggregation): writes core/v1 Events about an
 * object, as `kubectl describe` and `kubectl get events` show them. Failures are only logged:
 * an event is never worth failing a reconcile for.
 */
import { findResource } from '../api/resources.js';
import type { KObject, KubeClient } from '../client/rest-client.js';

const events = findResource('', 'v1', 'events')!;

export class EventRecorder {
  constructor(private readonly client: KubeClient, private readonly component: string, private readonly log: (msg: string) => void = () => {}) {}

  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const ns = obj.metadata?.namespace || 'default';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const suffix = `${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const ev = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${obj.metadata?.name}.${suffix}`, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name, namespace: obj.metadata?.namespace,
        uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion,
      },
      reason, message, type, count: 1,
      firstTimestamp: now, lastTimestamp: now,
      source: { component: this.component },
      reportingComponent: this.component, reportingInstance: '',
    };
    this.client.create(events, ns, ev).catch((err: unknown) => this.log(`event ${reason} on ${ns}/${obj.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`));
  }
}
