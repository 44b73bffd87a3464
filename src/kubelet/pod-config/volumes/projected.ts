/**
 * projected: configMap, secret, downwardAPI and serviceAccountToken sources merged into one
 * directory (atomic writer), on a tmpfs when the manager is asked to. Tokens come from the TokenRequest API bound to the pod and are
 * re-requested once 80% of their lifetime has passed; when the API has no TokenRequest (404) the
 * token file is left out and that is logged once per pod.
 */
import { writeAtomic, type FileProjection } from './atomic-writer.js';
import { ensureTmpfs } from './mounts-table.js';
import { configMapPayload, DEFAULT_MODE, downwardApiPayload, secretPayload } from './payloads.js';
import type { VolumeContext, VolumePlugin } from './types.js';

const DEFAULT_TOKEN_SECONDS = 3600;

async function tokenFor(ctx: VolumeContext, src: any): Promise<string | undefined> {
  const pod = ctx.pod;
  const ns = pod?.metadata?.namespace ?? 'default';
  const uid = pod?.metadata?.uid ?? '';
  const sa = pod?.spec?.serviceAccountName || 'default';
  const audiences: string[] = src.audience ? [src.audience] : [];
  const expirationSeconds: number = src.expirationSeconds ?? DEFAULT_TOKEN_SECONDS;
  const key = `${uid}/${sa}/${audiences.join(',')}/${expirationSeconds}`;
  const now = ctx.tokens.now();
  const cached = ctx.tokens.tokens.get(key);
  if (cached && now < cached.issuedAt + 0.8 * (cached.expiresAt - cached.issuedAt)) return cached.token;
  if (!ctx.lookup.requestServiceAccountToken) return cached?.token;
  const issued = await ctx.lookup.requestServiceAccountToken(ns, sa, {
    audiences, expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod?.metadata?.name, uid },
  });
  if (!issued) {
    if (!ctx.tokens.unavailableLogged.has(uid)) {
      ctx.tokens.unavailableLogged.add(uid);
      ctx.log(`pod ${ns}/${pod?.metadata?.name}: the API server offers no TokenRequest for serviceaccount ${sa}; projected token left out`);
    }
    return undefined;
  }
  const exp = Date.parse(issued.expirationTimestamp);
  ctx.tokens.tokens.set(key, { ...issued, issuedAt: now, expiresAt: Number.isFinite(exp) ? exp : now + expirationSeconds * 1000 });
  return issued.token;
}

export const projectedPlugin: VolumePlugin = {
  kind: 'projected',
  plugin: 'kubernetes.io~projected',
  refreshable: true,
  async setUp(ctx) {
    const mode = typeof ctx.source?.defaultMode === 'number' ? ctx.source.defaultMode : DEFAULT_MODE;
    const payload = new Map<string, FileProjection>();
    const merge = (p: Map<string, FileProjection>) => {
      for (const [k, v] of p) payload.set(k, v);
    };
    for (const src of ctx.source?.sources ?? []) {
      if (src.configMap) merge(await configMapPayload(ctx.pod, src.configMap, ctx.lookup, mode));
      else if (src.secret) merge(await secretPayload(ctx.pod, src.secret, ctx.lookup, mode));
      else if (src.downwardAPI) merge(downwardApiPayload(ctx.pod, src.downwardAPI, ctx.info, mode));
      else if (src.serviceAccountToken) {
        const token = await tokenFor(ctx, src.serviceAccountToken);
        if (token !== undefined) payload.set(src.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode });
      } else if (src.clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported by this node');
      }
    }
    if (ctx.memoryBackedSecrets) await ensureTmpfs(ctx.dir, ctx.log);
    await writeAtomic(ctx.dir, payload, { gid: ctx.fsGroup });
    return { hostPath: ctx.dir, readOnly: true, kind: 'projected', plugin: projectedPlugin.plugin };
  },
};
