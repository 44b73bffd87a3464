/** emptyDir: a plain directory in the pod's volumes dir; medium Memory mounts a tmpfs (sizeLimit as its size). */
import { execFile } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { quantityValue, tryParseQuantity } from '../../../machinery/quantity.js';
import { applyGroup } from './atomic-writer.js';
import { isMountPoint } from './mounts-table.js';
import type { VolumePlugin } from './types.js';

const run = promisify(execFile);

export const emptyDirPlugin: VolumePlugin = {
  kind: 'emptyDir',
  plugin: 'kubernetes.io~empty-dir',
  async setUp(ctx) {
    let fresh = (await mkdir(ctx.dir, { recursive: true })) !== undefined;
    if (ctx.source?.medium === 'Memory' && !(await isMountPoint(ctx.dir))) {
      const opts: string[] = ['mode=0777'];
      const size = tryParseQuantity(ctx.source.sizeLimit);
      if (size && size.num > 0n) opts.push(`size=${quantityValue(size)}`);
      await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', ctx.dir]);
      fresh = true;
    }
    // Mode and fsGroup once, when the directory (or its tmpfs) is new; setUp runs on every sync.
    if (fresh) {
      await chmod(ctx.dir, 0o777);
      if (ctx.fsGroup !== undefined) await applyGroup(ctx.dir, ctx.fsGroup, 0o660);
    }
    return { hostPath: ctx.dir, kind: 'emptyDir', plugin: emptyDirPlugin.plugin };
  },
};
