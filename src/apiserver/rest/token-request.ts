/**
 * serviceaccounts/{name}/token: the TokenRequest subresource (authentication.k8s.io/v1). Issues a
 * signed, expiring token for the ServiceAccount, optionally bound to a Pod, Secret or Node that must
 * exist (and match the uid given). Nothing is stored.
 */
import type { ServiceAccountTokens, BoundObject } from '../authn/service-account.js';
import { decodeBody, readBody } from '../body.js';
import { badRequest, conflict, invalid, methodNotAllowed, notFound, serviceUnavailable } from '../status.js';
import type { KObject } from './codec.js';
import type { HandlerDeps } from './handlers.js';
import { rfc3339 } from './object-meta.js';
import { dryRunOf, sendJson, type Call } from './request.js';

export const MIN_EXPIRATION_SECONDS = 600;
export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

const BINDABLE: Record<string, { plural: string; namespaced: boolean; apiVersion: string }> = {
  Pod: { plural: 'pods', namespaced: true, apiVersion: 'v1' },
  Secret: { plural: 'secrets', namespaced: true, apiVersion: 'v1' },
  Node: { plural: 'nodes', namespaced: false, apiVersion: 'v1' },
};

export async function tokenRequest(d: HandlerDeps, call: Call): Promise<void> {
  const tokens: ServiceAccountTokens | undefined = d.tokens;
  if (call.info.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
  if (!tokens) throw serviceUnavailable('the server has no service account token signing key configured');
  const ns = call.info.namespace;
  const name = call.info.name;
  const { object } = decodeBody(await readBody(call.req), call.req.headers['content-type']);
  const req = (object ?? {}) as KObject;
  if (typeof req !== 'object' || Array.isArray(req)) throw badRequest('the body of the request was not a TokenRequest object');
  if (req.metadata?.namespace && req.metadata.namespace !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const spec = (req.spec ?? {}) as Record<string, any>;
  const target = { group: 'authentication.k8s.io', kind: 'TokenRequest', resource: 'tokenrequests', name };
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION_SECONDS) {
    throw invalid(target, [{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${JSON.stringify(expirationSeconds)}: may not specify a duration less than 10 minutes` }]);
  }
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    throw invalid(target, [{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${expirationSeconds}: may not specify a duration larger than 2^32 seconds` }]);
  }
  const audiences: string[] = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : [...tokens.apiAudiences];

  const sa = await d.objects.lookup('', 'serviceaccounts', ns, name);
  if (!sa || sa.metadata.deletionTimestamp) throw notFound({ group: '', resource: 'serviceaccounts', name });

  let bound: BoundObject | undefined;
  let node: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef as Record<string, any> | undefined;
  let boundRefOut: Record<string, unknown> | undefined;
  if (ref) {
    const kind = String(ref.kind ?? '');
    const b = BINDABLE[kind];
    if (!b || (ref.apiVersion && ref.apiVersion !== b.apiVersion)) {
      throw badRequest(`cannot bind token to object of type ${ref.apiVersion ? `${ref.apiVersion}, Kind=${kind}` : kind}`);
    }
    const refName = String(ref.name ?? '');
    if (!refName) throw invalid(target, [{ reason: 'FieldValueRequired', field: 'spec.boundObjectRef.name', message: 'Required value' }]);
    const obj = await d.objects.lookup('', b.plural, b.namespaced ? ns : '', refName);
    if (!obj) throw notFound({ group: '', resource: b.plural, name: refName });
    if (ref.uid && ref.uid !== obj.metadata.uid) {
      throw conflict({ group: '', resource: kind, name: refName }, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (kind === 'Pod') {
      if ((obj.spec?.serviceAccountName ?? 'default') !== name) {
        throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
      }
      const nodeName = obj.spec?.nodeName;
      if (nodeName) {
        const n = await d.objects.lookup('', 'nodes', '', nodeName);
        if (n) node = { name: nodeName, uid: String(n.metadata.uid) };
      }
    }
    if (kind === 'Secret' && obj.metadata.deletionTimestamp) throw notFound({ group: '', resource: 'secrets', name: refName });
    bound = { kind: kind as BoundObject['kind'], name: refName, uid: String(obj.metadata.uid) };
    boundRefOut = { kind, apiVersion: b.apiVersion, name: refName, uid: String(obj.metadata.uid) };
  }

  const now = new Date();
  const issued = tokens.issue({
    namespace: ns, serviceAccount: { name, uid: String(sa.metadata.uid) }, audiences, expirationSeconds, bound, node, now,
  });
  const outSpec: Record<string, unknown> = { audiences, expirationSeconds };
  if (boundRefOut) outSpec.boundObjectRef = boundRefOut;
  const body = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace: ns, creationTimestamp: rfc3339(now) },
    spec: outSpec,
    status: { token: dryRunOf(call.query) ? '' : issued.token, expirationTimestamp: rfc3339(issued.expiration) },
  };
  sendJson(call, 201, body);
}
