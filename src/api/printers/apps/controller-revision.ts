/** apps/v1 ControllerRevision: NAME CONTROLLER REVISION AGE. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

/** `kind.group/name` (lower-cased kind and group) of the controlling owner, or "<none>". */
export function controllerName(obj: any): string {
  const ref = (obj?.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
  if (!ref) return '<none>';
  const apiVersion = String(ref.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const kind = String(ref.kind ?? '');
  if (!kind && !group) return String(ref.name ?? '');
  const gk = group ? `${kind}.${group}` : kind;
  return `${gk.toLowerCase()}/${ref.name ?? ''}`;
}

export const controllerRevisionPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Controller', 'Object that owns the revision, as kind.group/name.'),
    column('Revision', 'Revision number.'),
    ageColumn,
  ],
  cells(cr, now) {
    return [cr?.metadata?.name ?? '', controllerName(cr), typeof cr?.revision === 'number' ? cr.revision : 0, age(cr, now)];
  },
};
