/** configMap, secret and downwardAPI volumes: their payload written with the atomic writer (secrets on a tmpfs when asked). */
import { writeAtomic } from './atomic-writer.js';
import { ensureTmpfs } from './mounts-table.js';
import { configMapPayload, downwardApiPayload, secretPayload } from './payloads.js';
import type { VolumePlugin } from './types.js';

export const configMapPlugin: VolumePlugin = {
  kind: 'configMap',
  plugin: 'kubernetes.io~configmap',
  refreshable: true,
  async setUp(ctx) {
    const payload = await configMapPayload(ctx.pod, ctx.source, ctx.lookup);
    await writeAtomic(ctx.dir, payload, { gid: ctx.fsGroup });
    return { hostPath: ctx.dir, readOnly: true, kind: 'configMap', plugin: configMapPlugin.plugin };
  },
};

export const secretPlugin: VolumePlugin = {
  kind: 'secret',
  plugin: 'kubernetes.io~secret',
  refreshable: true,
  async setUp(ctx) {
    const payload = await secretPayload(ctx.pod, ctx.source, ctx.lookup);
    if (ctx.memoryBackedSecrets) await ensureTmpfs(ctx.dir, ctx.log);
    await writeAtomic(ctx.dir, payload, { gid: ctx.fsGroup });
    return { hostPath: ctx.dir, readOnly: true, kind: 'secret', plugin: secretPlugin.plugin };
  },
};

export const downwardApiPlugin: VolumePlugin = {
  kind: 'downwardAPI',
  plugin: 'kubernetes.io~downward-api',
  refreshable: true,
  async setUp(ctx) {
    const payload = downwardApiPayload(ctx.pod, ctx.source, ctx.info);
    await writeAtomic(ctx.dir, payload, { gid: ctx.fsGroup });
    return { hostPath: ctx.dir, readOnly: true, kind: 'downwardAPI', plugin: downwardApiPlugin.plugin };
  },
};
