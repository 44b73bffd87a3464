/** core/v1 Node: NAME STATUS ROLES AGE VERSION; wide INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: any): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((node?.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === LEGACY_ROLE_LABEL && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

/** The STATUS cell: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: any): string {
  const parts: string[] = [];
  const ready = (node?.status?.conditions ?? []).filter((c: any) => c?.type === 'Ready').pop();
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (node?.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function address(node: any, type: string): string {
  const found = (node?.status?.addresses ?? []).find((a: any) => a?.type === type);
  return found?.address ?? '<none>';
}

export const nodePrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Status', 'Readiness of the node and whether scheduling is disabled.'),
    column('Roles', 'Roles taken from node-role labels.'),
    ageColumn,
    column('Version', 'Kubelet version reported by the node.'),
    column('Internal-IP', 'First internal address of the node.', { priority: 1 }),
    column('External-IP', 'First external address of the node.', { priority: 1 }),
    column('OS-Image', 'Operating system image reported by the node.', { priority: 1 }),
    column('Kernel-Version', 'Kernel version reported by the node.', { priority: 1 }),
    column('Container-Runtime', 'Container runtime name and version.', { priority: 1 }),
  ],
  cells(node, now) {
    const info = node?.status?.nodeInfo ?? {};
    const roles = nodeRoles(node);
    return [
      node?.metadata?.name ?? '',
      nodeStatus(node),
      roles.length > 0 ? roles.join(',') : '<none>',
      age(node, now),
      info.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};
