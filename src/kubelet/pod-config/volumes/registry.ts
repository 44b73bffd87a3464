/** Volume plugins by source kind. Built-ins are registered here; registerVolumePlugin adds more. */
import { configMapPlugin, downwardApiPlugin, secretPlugin } from './config-volumes.js';
import { emptyDirPlugin } from './empty-dir.js';
import { hostPathPlugin } from './host-path.js';
import { projectedPlugin } from './projected.js';
import { pvcPlugin } from './pvc.js';
import type { VolumePlugin } from './types.js';

const plugins = new Map<string, VolumePlugin>();

export function registerVolumePlugin(p: VolumePlugin): void {
  plugins.set(p.kind, p);
}

export function volumePlugin(kind: string): VolumePlugin | undefined {
  return plugins.get(kind);
}

for (const p of [emptyDirPlugin, hostPathPlugin, configMapPlugin, secretPlugin, downwardApiPlugin, projectedPlugin, pvcPlugin]) {
  registerVolumePlugin(p);
}

/** The source kind of a pod volume entry: its one field besides `name`. */
export function volumeKind(volume: any): string | undefined {
  return Object.keys(volume ?? {}).find((k) => k !== 'name' && volume[k] != null);
}
