/**
 * Reconciles the bootstrap RBAC policy at every start, as upstream's auto-reconcile: missing roles and
 * bindings are created; existing ones whose rbac.authorization.kubernetes.io/autoupdate annotation is not
 * "false" get the rules, aggregation selectors, labels and subjects they lack added (nothing is removed);
 * a binding whose roleRef differs is recreated.
 */
import { findResource, type ResourceInfo } from '../../../api/resources.js';
import type { KObject } from '../../rest/codec.js';
import type { Objects } from '../../rest/objects.js';
import { StatusError } from '../../status.js';
import { normalizeRule, uncoveredRules } from '../rbac/rules.js';
import {
  AUTOUPDATE_ANNOTATION, BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_LABEL,
  type BootstrapClusterRole, type BootstrapClusterRoleBinding,
} from './policy.js';

const GROUP = 'rbac.authorization.k8s.io';
const MANAGER = 'kube-apiserver';
const AGG = 'rbac.authorization.k8s.io/aggregate-to-';

function roleObject(b: BootstrapClusterRole): KObject {
  const o: KObject = {
    apiVersion: `${GROUP}/v1`, kind: 'ClusterRole',
    metadata: { name: b.name, labels: { ...(b.labels ?? BOOTSTRAP_LABEL) }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    rules: b.rules,
  };
  if (b.aggregateFrom) o.aggregationRule = { clusterRoleSelectors: b.aggregateFrom.map((l) => ({ matchLabels: { [l]: 'true' } })) };
  return o;
}

function bindingObject(b: BootstrapClusterRoleBinding): KObject {
  return {
    apiVersion: `${GROUP}/v1`, kind: 'ClusterRoleBinding',
    metadata: { name: b.name, labels: { ...BOOTSTRAP_LABEL }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    roleRef: { apiGroup: GROUP, kind: 'ClusterRole', name: b.role },
    subjects: b.subjects.map((s) => (s.kind === 'ServiceAccount' ? { ...s } : { ...s, apiGroup: GROUP })),
  };
}

const ignoreConflict = (err: unknown): void => {
  if (!(err instanceof StatusError && err.code === 409)) throw err;
};

function mergeMeta(current: KObject, want: KObject): boolean {
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const have = (current.metadata[field] ??= {}) as Record<string, string>;
    for (const [k, v] of Object.entries((want.metadata[field] ?? {}) as Record<string, string>)) {
      if (!(k in have)) {
        have[k] = v;
        changed = true;
      }
    }
  }
  return changed;
}

async function reconcileRole(objects: Objects, r: ResourceInfo, b: BootstrapClusterRole): Promise<void> {
  const want = roleObject(b);
  const existing = await objects.lookup(GROUP, 'clusterroles', '', b.name);
  if (!existing) {
    await objects.create(r, '', want, { fieldManager: MANAGER }).catch(ignoreConflict);
    return;
  }
  if (existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return;
  await objects.mutate(r, '', b.name, (current) => {
    let changed = mergeMeta(current, want);
    if (b.aggregateFrom) {
      const selectors: any[] = (current.aggregationRule ??= {}).clusterRoleSelectors ??= [];
      for (const s of want.aggregationRule.clusterRoleSelectors) {
        if (!selectors.some((x) => JSON.stringify(x) === JSON.stringify(s))) {
          selectors.push(s);
          changed = true;
        }
      }
    } else {
      const have = (Array.isArray(current.rules) ? current.rules : []).map(normalizeRule);
      const missing = b.rules.filter((rule) => uncoveredRules(have, [rule]).length > 0);
      if (missing.length) {
        current.rules = [...(current.rules ?? []), ...missing];
        changed = true;
      }
    }
    if (!changed) throw new Unchanged();
    return current;
  }, { fieldManager: MANAGER }).catch((e) => {
    if (!(e instanceof Unchanged)) throw e;
  });
}

class Unchanged extends Error {}

async function reconcileBinding(objects: Objects, r: ResourceInfo, b: BootstrapClusterRoleBinding): Promise<void> {
  const want = bindingObject(b);
  const existing = await objects.lookup(GROUP, 'clusterrolebindings', '', b.name);
  if (!existing) {
    await objects.create(r, '', want, { fieldManager: MANAGER }).catch(ignoreConflict);
    return;
  }
  if (existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return;
  if (existing.roleRef?.kind !== 'ClusterRole' || existing.roleRef?.name !== b.role) {
    // roleRef is immutable: replace the binding, keeping its extra subjects.
    await objects.delete(r, '', b.name, { preconditions: { uid: existing.metadata.uid } }).catch(() => undefined);
    const subjects = [...want.subjects];
    for (const s of existing.subjects ?? []) if (!subjects.some((x: any) => x.kind === s.kind && x.name === s.name && (x.namespace ?? '') === (s.namespace ?? ''))) subjects.push(s);
    await objects.create(r, '', { ...want, subjects }, { fieldManager: MANAGER }).catch(ignoreConflict);
    return;
  }
  await objects.mutate(r, '', b.name, (current) => {
    let changed = mergeMeta(current, want);
    const subjects: any[] = (current.subjects ??= []);
    for (const s of want.subjects) {
      if (!subjects.some((x) => x.kind === s.kind && x.name === s.name && (x.namespace ?? '') === (s.namespace ?? ''))) {
        subjects.push(s);
        changed = true;
      }
    }
    if (!changed) throw new Unchanged();
    return current;
  }, { fieldManager: MANAGER }).catch((e) => {
    if (!(e instanceof Unchanged)) throw e;
  });
}

/** Creates or completes the default ClusterRoles and ClusterRoleBindings. */
export async function reconcileBootstrapPolicy(objects: Objects): Promise<void> {
  const roles = findResource(GROUP, 'v1', 'clusterroles')!;
  const bindings = findResource(GROUP, 'v1', 'clusterrolebindings')!;
  await Promise.all([
    ...BOOTSTRAP_CLUSTER_ROLES.map((b) => reconcileRole(objects, roles, b)),
    ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((b) => reconcileBinding(objects, bindings, b)),
  ]);
}

export { AGG as AGGREGATE_LABEL_PREFIX };
