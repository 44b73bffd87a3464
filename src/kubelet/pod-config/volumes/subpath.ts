/**
 * volumeMounts → CRI mounts: read-only flags, subPath (created inside the volume; no escaping it,
 * also not through symlinks), subPathExpr expanded with the container's environment, and mount
 * propagation.
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { CriKeyValue, CriMount, MountPropagation } from '../cri-shapes.js';
import { expand } from '../expansion.js';
import type { MountedVolume } from './types.js';

/** Expands a subPathExpr; an error naming the variables that have no (or an empty) value. */
export function expandSubPathExpr(expr: string, envs: CriKeyValue[]): { path: string } | { error: string } {
  const env = new Map(envs.map((e) => [e.key, e.value]));
  const missing = new Set<string>();
  const path = expand(expr, (k) => {
    const v = env.get(k);
    if (!v) missing.add(k);
    return v ?? '';
  });
  if (missing.size) return { error: `missing value for ${[...missing].sort().join(', ')}` };
  return { path };
}

/** Problems with a subPath before touching the disk: absolute, or with a `..` component. */
export function checkSubPath(subPath: string): string | undefined {
  if (isAbsolute(subPath)) return `error SubPath \`${subPath}\` must not be an absolute path`;
  if (subPath.split('/').includes('..')) return `unable to provision SubPath \`${subPath}\`: must not contain '..'`;
  return undefined;
}

/** Creates `subPath` inside `volumePath` (0o755 like the volume) and returns its real host path; refuses escapes through symlinks. */
export async function provisionSubPath(volumePath: string, subPath: string): Promise<string> {
  const bad = checkSubPath(subPath);
  if (bad) throw new Error(bad);
  const base = await realpath(volumePath);
  let cur = base;
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    const next = join(cur, parts[i]!);
    let exists = true;
    try {
      await lstat(next);
    } catch {
      exists = false;
    }
    if (!exists) await mkdir(next, { mode: 0o755 });
    cur = await realpath(next);
    const rel = relative(base, cur);
    if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) {
      throw new Error(`subpath "${subPath}" not within volume path "${volumePath}"`);
    }
  }
  return cur;
}

const PROPAGATION: Record<string, MountPropagation> = {
  None: 'PROPAGATION_PRIVATE',
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

/**
 * The CRI mounts of a container's volumeMounts. Throws with the kubelet's wording when a mount
 * names an unknown volume, a subPath escapes, or a subPathExpr lacks variables.
 */
export async function mountsFor(
  pod: any, container: any, volumes: ReadonlyMap<string, MountedVolume>, envs: CriKeyValue[] = [],
): Promise<CriMount[]> {
  const out: CriMount[] = [];
  const privileged = container?.securityContext?.privileged === true;
  for (const vm of container?.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    if (!vol) throw new Error(`cannot find volume "${vm.name}" to mount into container "${container?.name}"`);
    let hostPath = vol.hostPath;
    let subPath: string = vm.subPath ?? '';
    if (vm.subPathExpr) {
      const r = expandSubPathExpr(vm.subPathExpr, envs);
      if ('error' in r) throw new Error(r.error);
      subPath = r.path;
    }
    if (subPath) hostPath = await provisionSubPath(vol.hostPath, subPath);
    const propagation = PROPAGATION[vm.mountPropagation ?? 'None'] ?? 'PROPAGATION_PRIVATE';
    if (propagation === 'PROPAGATION_BIDIRECTIONAL' && !privileged) {
      throw new Error('Bidirectional mount propagation is available only to privileged containers');
    }
    out.push({
      containerPath: vm.mountPath,
      hostPath,
      readonly: vm.readOnly === true || vol.readOnly === true,
      selinuxRelabel: false,
      propagation,
    });
  }
  return out;
}
