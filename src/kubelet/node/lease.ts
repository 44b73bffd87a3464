/** A node's Lease in kube-node-lease and the API's time formats, shared by real and simulated nodes. */
import type { KObject } from '../../client/index.js';

export const LEASE_NAMESPACE = 'kube-node-lease';

/** RFC 3339 with seconds (metav1.Time). */
export const rfc3339 = (d = new Date()): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
/** RFC 3339 with microseconds (metav1.MicroTime). */
export const microTime = (d = new Date()): string => d.toISOString().replace(/Z$/, '000Z');

/** The Lease a node holds (owned by its Node, so it goes with it). */
export function leaseObject(name: string, nodeUid: string | undefined, durationSeconds: number, now: Date): KObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}
