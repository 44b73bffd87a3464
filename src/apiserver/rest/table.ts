/** Tables (meta.k8s.io/v1) for `kubectl get`, built from the kind's printer. */
import { printerFor } from '../../api/printers/index.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from './codec.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  includeObject: IncludeObject;
  noHeaders?: boolean;
  now?: Date;
}

function rowObject(obj: KObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(r: ResourceInfo, objects: KObject[], opts: TableOptions, listMeta: Record<string, unknown> = {}): Record<string, unknown> {
  const printer = printerFor(r.group, r.kind);
  const now = opts.now ?? new Date();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o, now) };
      const ro = rowObject(o, opts.includeObject);
      if (ro !== undefined) row.object = ro;
      return row;
    }),
  };
}
