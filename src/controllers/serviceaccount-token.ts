/**
 * The legacy ServiceAccount token controller (upstream's tokens controller): a Secret of type
 * kubernetes.io/service-account-token naming an account in annotation
 * kubernetes.io/service-account.name gets data.token (a non-expiring signed token), data.ca.crt
 * and data.namespace, and the account's uid in kubernetes.io/service-account.uid. Such Secrets
 * whose account is gone (or was re-created with another uid) are deleted.
 * Settings (ctx.settings['serviceaccount-token']): { caPem: string, signLegacy(namespace, {name, uid},
 * secretName): string } — the signing stays with the server that owns the key; without them the
 * controller idles.
 */
import { findResource } from '../api/resources.js';
import { ApiError, isNotFound, type KObject } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const UID_ANNOTATION = 'kubernetes.io/service-account.uid';

type SignLegacy = (namespace: string, sa: { name: string; uid: string }, secretName: string) => string;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export class ServiceAccountTokenController extends BaseController {
  private readonly secretsR = findResource('', 'v1', 'secrets')!;
  private readonly serviceAccountsR = findResource('', 'v1', 'serviceaccounts')!;
  private readonly secrets: Lister;
  private readonly serviceAccounts: Lister;
  private readonly caPem?: string;
  private readonly sign?: SignLegacy;

  constructor(ctx: ControllerContext) {
    super('serviceaccount-token', ctx, { workers: 2 });
    const s = ctx.settings?.['serviceaccount-token'];
    if (typeof s?.caPem === 'string') this.caPem = s.caPem;
    if (typeof s?.signLegacy === 'function') this.sign = s.signLegacy as SignLegacy;
    const secrets = ctx.informers.informerFor(this.secretsR);
    const sas = ctx.informers.informerFor(this.serviceAccountsR);
    this.secrets = new Lister(secrets.store);
    this.serviceAccounts = new Lister(sas.store);
    this.watch(secrets, (o) => (o.type === SA_TOKEN_TYPE ? `${o.metadata.namespace}/${o.metadata.name}` : undefined));
    // An account going away (or coming back) re-checks its token Secrets.
    const bySa = (sa: KObject) => this.secrets.list(sa.metadata.namespace)
      .filter((x) => x.type === SA_TOKEN_TYPE && x.metadata?.annotations?.[NAME_ANNOTATION] === sa.metadata.name)
      .map((x) => `${x.metadata.namespace}/${x.metadata.name}`);
    this.handle(sas, {
      onAdd: (sa: KObject) => bySa(sa).forEach((k) => this.queue.add(k)),
      onDelete: (sa: KObject) => bySa(sa).forEach((k) => this.queue.add(k)),
    });
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    if (!this.sign || !this.caPem) return;
    const [namespace, name] = key.split('/') as [string, string];
    const secret = this.secrets.get(namespace, name);
    if (!secret || secret.type !== SA_TOKEN_TYPE || secret.metadata?.deletionTimestamp) return;
    const saName = secret.metadata?.annotations?.[NAME_ANNOTATION];
    if (!saName) return;
    const sa = this.serviceAccounts.get(namespace, saName);
    const wantUid = secret.metadata?.annotations?.[UID_ANNOTATION];
    if (!sa || (wantUid && wantUid !== sa.metadata.uid)) {
      // Confirm with the server before deleting: the cache may be behind a just-created account.
      const live = await this.ctx.client.get(this.serviceAccountsR, namespace, saName).catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (live && (!wantUid || wantUid === live.metadata.uid)) return { requeueAfter: 100 };
      try {
        await this.ctx.client.delete(this.secretsR, namespace, name, { preconditions: { uid: secret.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err) && !(err instanceof ApiError && err.code === 409)) throw err;
      }
      return;
    }
    const data = secret.data ?? {};
    if (data.token && data['ca.crt'] && data.namespace && wantUid) return;
    const token = data.token ? undefined : this.sign(namespace, { name: saName, uid: String(sa.metadata.uid) }, name);
    try {
      await this.ctx.client.update(this.secretsR, {
        ...secret,
        metadata: { ...secret.metadata, annotations: { ...(secret.metadata.annotations ?? {}), [UID_ANNOTATION]: String(sa.metadata.uid) } },
        data: { ...data, ...(token ? { token: b64(token) } : {}), 'ca.crt': data['ca.crt'] ?? b64(this.caPem), namespace: data.namespace ?? b64(namespace) },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err; // 409: the cache was behind; retried
    }
  }
}
