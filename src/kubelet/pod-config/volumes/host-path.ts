/** hostPath: a path on the node, bound as-is, after the type check the volume asks for. */
import { mkdir, open, stat } from 'node:fs/promises';
import type { VolumePlugin } from './types.js';

async function statOf(p: string) {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

/** Checks (and for the *OrCreate types creates) `path` for a hostPath type; an error message on mismatch. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<string | undefined> {
  const t = type ?? '';
  if (t === '') return undefined;
  let st = await statOf(path);
  if (t === 'DirectoryOrCreate' && !st) {
    await mkdir(path, { recursive: true, mode: 0o755 });
    return undefined;
  }
  if (t === 'FileOrCreate' && !st) {
    try {
      await (await open(path, 'a', 0o644)).close();
    } catch (e) {
      return (e as Error).message;
    }
    st = await statOf(path);
  }
  switch (t) {
    case 'DirectoryOrCreate':
    case 'Directory':
      return st?.isDirectory() ? undefined : `hostPath type check failed: ${path} is not a directory`;
    case 'FileOrCreate':
    case 'File':
      return st?.isFile() ? undefined : `hostPath type check failed: ${path} is not a file`;
    case 'Socket':
      return st?.isSocket() ? undefined : `hostPath type check failed: ${path} is not a socket file`;
    case 'CharDevice':
      return st?.isCharacterDevice() ? undefined : `hostPath type check failed: ${path} is not a character device`;
    case 'BlockDevice':
      return st?.isBlockDevice() ? undefined : `hostPath type check failed: ${path} is not a block device`;
    default:
      return `${t} is an invalid volume type`;
  }
}

export const hostPathPlugin: VolumePlugin = {
  kind: 'hostPath',
  plugin: 'kubernetes.io~host-path',
  async setUp(ctx) {
    const path: string = ctx.source?.path ?? '';
    const err = await checkHostPathType(path, ctx.source?.type);
    if (err) throw new Error(err);
    return { hostPath: path, kind: 'hostPath', plugin: hostPathPlugin.plugin };
  },
};
