/**
 * Subresources other than status: scale (Deployment, ReplicaSet, StatefulSet,
 * ReplicationController), pods/binding and /bindings, pods/eviction, namespaces/finalize, and the
 * streaming ones (log, exec, attach, portforward, proxy) which belong to the pod's node.
 */
import { findResource } from '../../api/resources.js';
import { formatSelector, matches, selectorFromObject } from '../../machinery/labels.js';
import { jsonMergePatch, applyJsonPatch, strategicMergePatch, PatchError } from '../../machinery/patch/index.js';
import { definitionFor } from '../../api/schema.js';
import { decodeBody, mediaType, readBody } from '../body.js';
import { badRequest, conflict, methodNotAllowed, notFound, serviceUnavailable, StatusError, unsupportedMediaType } from '../status.js';
import type { KObject } from './codec.js';
import { patchStatus, type HandlerDeps } from './handlers.js';
import { rfc3339 } from './object-meta.js';
import { target } from './objects.js';
import { dryRunOf, fieldManagerOf, sendJson, type Call } from './request.js';
import { connect } from './connect.js';
import { tokenRequest } from './token-request.js';

export async function handleSubresource(d: HandlerDeps, call: Call): Promise<void> {
  const { info } = call;
  switch (info.subresource) {
    case 'scale':
      return scale(d, call);
    case 'binding':
      return binding(d, call, call.info.name);
    case 'eviction':
      return eviction(d, call);
    case 'finalize':
      return finalize(d, call);
    case 'token':
      return tokenRequest(d, call);
    case 'log':
    case 'exec':
    case 'attach':
    case 'portforward':
    case 'proxy':
      return connect(d, call);
    default:
      throw notFound(target(call.resource, info.name));
  }
}

function scaleOf(obj: KObject, plural: string): Record<string, unknown> {
  const sel = plural === 'replicationcontrollers'
    ? formatSelector(Object.entries(obj.spec?.selector ?? {}).map(([key, v]) => ({ key, operator: '=', values: [String(v)] })))
    : formatSelector(selectorFromObject(obj.spec?.selector) ?? []);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: sel },
  };
}

async function scale(d: HandlerDeps, call: Call): Promise<void> {
  const r = call.storage;
  const ns = call.info.namespace;
  const name = call.info.name;
  const verb = call.info.verb;
  if (verb === 'get') return sendJson(call, 200, scaleOf(await d.objects.get(r, ns, name), r.plural));
  if (verb !== 'update' && verb !== 'patch') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const buf = await readBody(call.req);
  const type = mediaType(call.req.headers['content-type']);
  const { object: body } = decodeBody(buf, type || 'application/json');
  const scaleSchema = definitionFor({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  const updated = await d.objects.mutate(r, ns, name, (current) => {
    const cur = scaleOf(current, r.plural);
    let next: any;
    try {
      if (verb === 'update') next = body;
      else if (type === 'application/merge-patch+json') next = jsonMergePatch(cur, body);
      else if (type === 'application/json-patch+json') next = applyJsonPatch(cur, body);
      else if (type === 'application/strategic-merge-patch+json') next = strategicMergePatch(cur, body, scaleSchema);
      else throw unsupportedMediaType(type);
    } catch (err) {
      if (err instanceof PatchError) throw patchStatus(err);
      throw err;
    }
    const replicas = next?.spec?.replicas;
    if (replicas === undefined || !Number.isInteger(replicas) || replicas < 0) {
      throw new StatusError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
        name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' }],
      });
    }
    const rv = next?.metadata?.resourceVersion;
    if (rv) current.metadata.resourceVersion = String(rv);
    else delete current.metadata.resourceVersion;
    current.spec = { ...(current.spec ?? {}), replicas };
    return current;
  }, { dryRun: dryRunOf(call.query), fieldManager: fieldManagerOf(call.query, call.req.headers['user-agent']), user: call.user, subresource: 'scale' });
  sendJson(call, 200, scaleOf(updated, r.plural));
}

/** Binds a pod to a node: sets spec.nodeName once, as the scheduler's bind does. */
export async function binding(d: HandlerDeps, call: Call, podName: string): Promise<void> {
  if (call.info.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const { object } = decodeBody(await readBody(call.req), call.req.headers['content-type']);
  const b = object as KObject;
  const name = podName || b?.metadata?.name;
  const node = b?.target?.name;
  if (!name) throw badRequest('name is required for a binding');
  if (!node) throw new StatusError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`, { name, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  const pods = findResource('', 'v1', 'pods')!;
  const ns = call.info.namespace;
  await d.objects.mutate(pods, ns, name, (pod) => {
    if (pod.metadata.deletionTimestamp) throw conflict(target(pods, name), 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec?.nodeName) throw conflict(target(pods, name), `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    if (b.metadata?.uid && b.metadata.uid !== pod.metadata.uid) throw conflict(target(pods, name), `Precondition failed: UID in precondition: ${b.metadata.uid}, UID in object meta: ${pod.metadata.uid}`);
    pod.spec.nodeName = node;
    const conditions = (pod.status.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(new Date()) });
    pod.status = { ...pod.status, conditions };
    return pod;
  }, { dryRun: dryRunOf(call.query), fieldManager: fieldManagerOf(call.query, call.req.headers['user-agent']), user: call.user, subresource: 'binding' });
  sendJson(call, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** Evicts a pod unless a PodDisruptionBudget forbids it (429, as upstream). */
async function eviction(d: HandlerDeps, call: Call): Promise<void> {
  if (call.info.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const { object } = decodeBody(await readBody(call.req), call.req.headers['content-type']);
  const ev = (object ?? {}) as KObject;
  const pods = findResource('', 'v1', 'pods')!;
  const ns = call.info.namespace;
  const name = call.info.name;
  if (ev.metadata?.name && ev.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  const pod = await d.objects.get(pods, ns, name);
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  if (!terminal && !pod.metadata.deletionTimestamp) {
    const pdbs = findResource('policy', 'v1', 'poddisruptionbudgets')!;
    const list = d.cache.list(`/registry/policy/poddisruptionbudgets/${ns}/`);
    const { decodeShared } = await import('./codec.js');
    const covering = list.map(decodeShared).filter((p) => matches(selectorFromObject(p.spec?.selector), pod.metadata.labels));
    if (covering.length > 1) {
      throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    if (covering.length === 1) {
      // Checked and decremented on the stored budget (retried on conflict), so concurrent
      // evictions cannot both spend the same disruption; the pod is recorded in disruptedPods
      // so the disruption controller does not count it healthy while its deletion is under way.
      const refuse = (pdb: KObject): StatusError => new StatusError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
        causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }],
      });
      const dryRun = dryRunOf(call.query) || Boolean(ev.deleteOptions?.dryRun?.length);
      await d.objects.mutate(pdbs, ns, covering[0].metadata.name, (p) => {
        const allowed = p.status?.disruptionsAllowed ?? 0;
        if (p.status?.observedGeneration === undefined || p.status.observedGeneration < (p.metadata.generation ?? 0) || allowed < 1) throw refuse(p);
        p.status = {
          ...p.status,
          disruptionsAllowed: allowed - 1,
          disruptedPods: { ...(p.status?.disruptedPods ?? {}), [name]: rfc3339(new Date()) },
        };
        return p;
      }, { subresource: 'status', fieldManager: 'kube-apiserver', dryRun });
    }
  }
  const opts = ev.deleteOptions ?? {};
  await d.objects.delete(pods, ns, name, {
    dryRun: dryRunOf(call.query) || Boolean(opts.dryRun?.length),
    gracePeriodSeconds: opts.gracePeriodSeconds ?? undefined,
    preconditions: opts.preconditions,
    propagationPolicy: opts.propagationPolicy,
    user: call.user,
  });
  sendJson(call, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** namespaces/{name}/finalize: replaces spec.finalizers (the namespace controller's last step). */
async function finalize(d: HandlerDeps, call: Call): Promise<void> {
  if (call.info.verb !== 'update') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const { object } = decodeBody(await readBody(call.req), call.req.headers['content-type']);
  const body = object as KObject;
  const r = call.storage;
  const updated = await d.objects.mutate(r, '', call.info.name, (ns) => {
    ns.spec = { ...(ns.spec ?? {}), finalizers: body?.spec?.finalizers ?? [] };
    if (!ns.spec.finalizers.length) delete ns.spec.finalizers;
    return ns;
  }, { fieldManager: fieldManagerOf(call.query, call.req.headers['user-agent']), user: call.user, subresource: 'finalize' });
  sendJson(call, 200, updated);
}
