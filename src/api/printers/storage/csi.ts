/** storage.k8s.io/v1 CSIDriver, CSINode and VolumeAttachment. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

function flag(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt;
}

export const csiDriverPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('AttachRequired', 'Whether volumes need an attach step.', { type: 'boolean' }),
    column('PodInfoOnMount', 'Whether pod details are passed on mount.', { type: 'boolean' }),
    column('StorageCapacity', 'Whether the scheduler considers storage capacity.', { type: 'boolean' }),
    column('TokenRequests', 'Audiences of service account tokens passed to the driver.'),
    column('RequiresRepublish', 'Whether volumes are periodically remounted.', { type: 'boolean' }),
    column('Modes', 'Volume lifecycle modes the driver supports.'),
    ageColumn,
  ],
  cells(d, now) {
    const spec = d?.spec ?? {};
    const modes = (spec.volumeLifecycleModes ?? []).join(',');
    const tokens = Array.isArray(spec.tokenRequests)
      ? spec.tokenRequests.map((t: any) => String(t?.audience ?? '')).join(',')
      : '<unset>';
    return [
      d?.metadata?.name ?? '',
      flag(spec.attachRequired, true),
      flag(spec.podInfoOnMount, false),
      flag(spec.storageCapacity, false),
      tokens,
      flag(spec.requiresRepublish, false),
      modes || '<none>',
      age(d, now),
    ];
  },
};

export const csiNodePrinter: TablePrinter = {
  columns: [nameColumn, column('Drivers', 'CSI drivers registered on the node.', { type: 'integer' }), ageColumn],
  cells(n, now) {
    return [n?.metadata?.name ?? '', (n?.spec?.drivers ?? []).length, age(n, now)];
  },
};

export const volumeAttachmentPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Attacher', 'Driver that attaches the volume.', { format: 'name' }),
    column('PV', 'Persistent volume being attached.'),
    column('Node', 'Node the volume is attached to.'),
    column('Attached', 'Whether the attach operation succeeded.', { type: 'boolean' }),
    ageColumn,
  ],
  cells(va, now) {
    const spec = va?.spec ?? {};
    return [
      va?.metadata?.name ?? '',
      spec.attacher ?? '',
      spec.source?.persistentVolumeName ?? '',
      spec.nodeName ?? '',
      va?.status?.attached === true,
      age(va, now),
    ];
  },
};
