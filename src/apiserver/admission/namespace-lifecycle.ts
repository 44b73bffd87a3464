/** NamespaceLifecycle: objects go only into namespaces that exist and are not terminating. */
import { forbidden, notFound } from '../status.js';
import type { AdmissionPluginFactory } from './types.js';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

export const namespaceLifecycle: AdmissionPluginFactory = (lookup) => ({
  name: 'NamespaceLifecycle',
  async validate(a) {
    if (a.resource.group === '' && a.resource.plural === 'namespaces') {
      if (a.operation === 'DELETE' && IMMORTAL.has(a.name)) {
        throw forbidden(`namespaces "${a.name}" is forbidden: this namespace may not be deleted`);
      }
      return;
    }
    if (!a.resource.namespaced || a.operation !== 'CREATE' || !a.namespace) return;
    const ns = await lookup.get('', 'namespaces', '', a.namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces', name: a.namespace });
    // Events may still be written into a terminating namespace, as upstream allows.
    if (ns.metadata.deletionTimestamp && !(a.resource.plural === 'events')) {
      throw forbidden(
        `${a.resource.plural}${a.resource.group ? '.' + a.resource.group : ''} "${a.name}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
      );
    }
  },
});
