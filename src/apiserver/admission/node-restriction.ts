/**
 * NodeRestriction (simplified upstream plugin): a node agent (system:node:NAME in system:nodes) may only
 * create or change its own Node and its own Lease in kube-node-lease, and may only create mirror pods bound
 * to itself. Which pods a node may update or delete is decided by the Node authorizer (authz/node.ts).
 */
import { nodeNameOf, NODE_LEASE_NAMESPACE } from '../authz/index.js';
import { forbidden } from '../status.js';
import type { AdmissionAttributes, AdmissionPluginFactory } from './types.js';

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

function refused(a: AdmissionAttributes, why: string) {
  const gr = a.resource.group ? `${a.resource.plural}.${a.resource.group}` : a.resource.plural;
  return forbidden(a.name ? `${gr} "${a.name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`);
}

export const nodeRestriction: AdmissionPluginFactory = () => ({
  name: 'NodeRestriction',
  validate(a) {
    if (!a.user) return;
    const node = nodeNameOf(a.user);
    if (node === undefined) return;
    const { group, plural } = a.resource;
    if (group === '' && plural === 'nodes' && (a.operation === 'CREATE' || a.operation === 'UPDATE' || a.operation === 'DELETE')) {
      if (a.name !== node) throw refused(a, `node "${node}" is not allowed to modify node "${a.name}"`);
      return;
    }
    if (group === 'coordination.k8s.io' && plural === 'leases' && a.namespace === NODE_LEASE_NAMESPACE && a.operation !== 'DELETE') {
      if (a.name !== node) throw refused(a, 'can only access node lease with the same name as the requesting node');
      return;
    }
    if (group === '' && plural === 'pods' && a.operation === 'CREATE' && !a.subresource) {
      const pod = a.object as any;
      if (!pod?.metadata?.annotations?.[MIRROR_ANNOTATION]) {
        throw refused(a, `pod does not have "${MIRROR_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
      }
      if (pod.spec?.nodeName !== node) throw refused(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
    }
  },
});
