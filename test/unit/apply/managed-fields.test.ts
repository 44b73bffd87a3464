import { describe, expect, it } from 'vitest';
import { definitionFor, definitions, type SchemaNode } from '../../../src/api/schema.js';
import {
  ApplyConflictError,
  ApplyInvalidError,
  LAST_APPLIED_ANNOTATION,
  apply,
  trackUpdate,
  type ApplyOptions,
  type ManagedFieldsEntry,
} from '../../../src/machinery/apply/index.js';

const schema: SchemaNode =
  definitionFor({ group: 'apps', version: 'v1', kind: 'Deployment' }) ?? definitions['io.k8s.api.apps.v1.Deployment']!;

type Obj = Record<string, any>;
const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';

function deployment(over: { replicas?: number; labels?: Record<string, string>; containers?: Obj[] } = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: over.labels ?? { app: 'web' } },
    spec: {
      replicas: over.replicas ?? 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: over.containers ?? [{ name: 'nginx', image: 'nginx:1.27' }] },
      },
    },
  };
}

/** A stored object: what the server would persist after a create by `manager`. */
function created(obj: Obj, manager: string): Obj {
  const live = structuredClone(obj);
  live.metadata.uid = 'u-1';
  live.metadata.resourceVersion = '1';
  live.metadata.creationTimestamp = T0;
  live.metadata.managedFields = trackUpdate({ live: undefined, updated: live, manager, apiVersion: 'apps/v1', time: T0, schema });
  return live;
}

function entry(mf: ManagedFieldsEntry[], manager: string): ManagedFieldsEntry | undefined {
  return mf.find((e) => e.manager === manager);
}

const fields = (e: ManagedFieldsEntry | undefined): string => JSON.stringify(e?.fieldsV1);

function doApply(
  live: Obj | undefined,
  applied: Obj,
  manager: string,
  force = false,
  time = T1,
): { object: Obj; managedFields: ManagedFieldsEntry[]; changed: boolean } {
  const opts: ApplyOptions = { live, applied, manager, apiVersion: 'apps/v1', force, schema, time };
  return apply(opts);
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('trackUpdate', () => {
  it('gives the creating manager every field it set, except identity and server-set metadata', () => {
    const live = created(deployment(), 'kubectl-client-side-apply');
    expect(live.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
  });

  it('after `kubectl label` (merge patch of one label) kubectl-label owns just that label', () => {
    const live = created(deployment(), 'kubectl-create');
    const updated = structuredClone(live);
    updated.metadata.labels.env = 'prod';
    updated.metadata.resourceVersion = '2';
    const mf = trackUpdate({ live, updated, manager: 'kubectl-label', apiVersion: 'apps/v1', time: T1, schema });
    expect(mf.map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-label']);
    expect(entry(mf, 'kubectl-label')).toEqual({
      manager: 'kubectl-label',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:env': {} } } },
    });
    expect(entry(mf, 'kubectl-create')).toEqual(entry(live.metadata.managedFields, 'kubectl-create'));
  });

  it('takes changed fields from other managers and drops removed fields and empty entries', () => {
    let live = created(deployment(), 'kubectl-create');
    const labelled = structuredClone(live);
    labelled.metadata.labels.env = 'prod';
    live = { ...labelled, metadata: { ...labelled.metadata, managedFields: trackUpdate({ live, updated: labelled, manager: 'kubectl-label', apiVersion: 'apps/v1', time: T1, schema }) } };

    // `kubectl label deploy web env-` removes the label: kubectl-label has nothing left.
    const unlabelled = structuredClone(live);
    delete unlabelled.metadata.labels.env;
    const mf = trackUpdate({ live, updated: unlabelled, manager: 'kubectl-label', apiVersion: 'apps/v1', time: T2, schema });
    expect(mf.map((e) => e.manager)).toEqual(['kubectl-create']);

    // `kubectl scale` changes replicas: the creator loses it.
    const scaled = structuredClone(live);
    scaled.spec.replicas = 5;
    const mf2 = trackUpdate({ live, updated: scaled, manager: 'kubectl', apiVersion: 'apps/v1', subresource: 'scale', time: T2, schema });
    expect(fields(entry(mf2, 'kubectl'))).toBe('{"f:spec":{"f:replicas":{}}}');
    expect(entry(mf2, 'kubectl')?.subresource).toBe('scale');
    expect(fields(entry(mf2, 'kubectl-create'))).not.toContain('f:replicas');
  });

  it('leaves managedFields alone when nothing changed', () => {
    const live = created(deployment(), 'kubectl-create');
    const same = structuredClone(live);
    same.metadata.resourceVersion = '2';
    expect(trackUpdate({ live, updated: same, manager: 'other', apiVersion: 'apps/v1', time: T1, schema })).toEqual(live.metadata.managedFields);
  });

  it.each([
    ['[]', []],
    ['[{}]', [{}]],
  ])('clears managedFields when the request sends %s', (_name, sent) => {
    const live = created(deployment(), 'kubectl-create');
    const updated = structuredClone(live);
    updated.metadata.managedFields = sent;
    updated.spec.replicas = 2;
    expect(trackUpdate({ live, updated, manager: 'kubectl-edit', apiVersion: 'apps/v1', time: T1, schema })).toEqual([]);
  });

  it('does not give ownership of ignored (reset) fields', () => {
    const obj = { ...deployment(), status: { replicas: 3 } };
    const mf = trackUpdate({ live: undefined, updated: obj, manager: 'm', apiVersion: 'apps/v1', time: T0, schema, ignoredFields: [['status']] });
    expect(fields(mf[0])).not.toContain('f:status');
  });

  it('folds more than ten Update managers into ancient-changes, oldest first', () => {
    let live = created(deployment(), 'm00');
    for (let i = 1; i <= 11; i++) {
      const updated = structuredClone(live);
      updated.metadata.labels[`l${i}`] = 'x';
      const time = `2025-01-01T00:${String(i).padStart(2, '0')}:00Z`;
      updated.metadata.managedFields = trackUpdate({ live, updated, manager: `m${String(i).padStart(2, '0')}`, apiVersion: 'apps/v1', time, schema });
      live = updated;
    }
    const mf = live.metadata.managedFields as ManagedFieldsEntry[];
    expect(mf).toHaveLength(10);
    const ancient = entry(mf, 'ancient-changes');
    expect(ancient?.time).toBe('2025-01-01T00:02:00Z');
    expect(fields(ancient)).toContain('"f:l1"');
    expect(fields(ancient)).toContain('"f:l2"');
    expect(mf.map((e) => e.manager)).not.toContain('m00');
  });
});

describe('apply', () => {
  it('creates: the applier owns what it applied, nothing of identity', () => {
    const applied = deployment();
    const r = doApply(undefined, applied, 'kubectl');
    const { managedFields: _mf, ...metadata } = r.object.metadata as Obj;
    expect({ ...r.object, metadata }).toEqual(applied);
    expect(r.changed).toBe(true);
    expect(r.managedFields).toHaveLength(1);
    expect(r.managedFields[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1 });
    expect(fields(r.managedFields[0])).toBe(
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
    );
  });

  it('conflicts when changing a field a client-side-apply create owns', () => {
    const live = created(deployment(), 'kubectl-client-side-apply');
    const err = thrown(() => doApply(live, deployment({ replicas: 3 }), 'kubectl'));
    expect(err).toBeInstanceOf(ApplyConflictError);
    const e = err as ApplyConflictError;
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(e.conflicts).toEqual([{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', field: '.spec.replicas' }]);
    expect(e.causes).toEqual([
      { type: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);
    expect(e.toStatus()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
  });

  it('with force takes the field over', () => {
    const live = created(deployment(), 'kubectl-client-side-apply');
    const r = doApply(live, deployment({ replicas: 3 }), 'kubectl', true);
    expect(r.object.spec.replicas).toBe(3);
    expect(fields(entry(r.managedFields, 'kubectl'))).toContain('"f:replicas"');
    expect(fields(entry(r.managedFields, 'kubectl-client-side-apply'))).not.toContain('f:replicas');
    // Fields with equal values are shared, not taken.
    expect(fields(entry(r.managedFields, 'kubectl-client-side-apply'))).toContain('"f:image"');
    expect(r.managedFields.map((e) => e.operation)).toEqual(['Apply', 'Update']);
  });

  it('lets "kubectl" take fields whose live values still match the last-applied annotation', () => {
    const obj = deployment();
    obj.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(deployment())}\n` };
    const live = created(obj, 'kubectl-client-side-apply');
    const applied = deployment({ replicas: 3 });
    const r = doApply(live, applied, 'kubectl');
    expect(r.object.spec.replicas).toBe(3);
    expect(fields(entry(r.managedFields, 'kubectl-client-side-apply'))).not.toContain('f:replicas');
    // The annotation now records the applied configuration.
    expect(JSON.parse(r.object.metadata.annotations[LAST_APPLIED_ANNOTATION])).toEqual(applied);
    // Another manager name gets no such pass.
    expect(() => doApply(live, applied, 'my-tool')).toThrow(ApplyConflictError);
  });

  it('lists several conflicts grouped by manager', () => {
    let live = created(deployment(), 'kubectl-create');
    live = doApply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { team: 'a' } } }, 'labeller').object;
    const applied = deployment({ replicas: 2, labels: { app: 'web', team: 'b' } });
    const e = thrown(() => doApply(live, applied, 'kubectl')) as ApplyConflictError;
    expect(e.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\nconflicts with "labeller":\n- .metadata.labels.team',
    );
  });

  it('removes a field the same manager applied before and dropped now', () => {
    const first = doApply(undefined, deployment({ labels: { app: 'web', tier: 'fe' } }), 'kubectl').object;
    const r = doApply(first, deployment(), 'kubectl', false, T2);
    expect(r.object.metadata.labels).toEqual({ app: 'web' });
    expect(fields(entry(r.managedFields, 'kubectl'))).not.toContain('tier');
    expect(r.managedFields[0]?.time).toBe(T2);
  });

  it('keeps a dropped field another manager also owns', () => {
    let live = doApply(undefined, deployment({ labels: { app: 'web', tier: 'fe' } }), 'kubectl').object;
    live = doApply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { tier: 'fe' } } }, 'other').object;
    const r = doApply(live, deployment(), 'kubectl');
    expect(r.object.metadata.labels).toEqual({ app: 'web', tier: 'fe' });
    expect(fields(entry(r.managedFields, 'other'))).toBe('{"f:metadata":{"f:labels":{"f:tier":{}}}}');
  });

  it('shares a field two appliers set to the same value, without conflict', () => {
    const live = doApply(undefined, deployment({ replicas: 2 }), 'a').object;
    const r = doApply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, 'b');
    expect(fields(entry(r.managedFields, 'a'))).toContain('"f:replicas"');
    expect(fields(entry(r.managedFields, 'b'))).toBe('{"f:spec":{"f:replicas":{}}}');
    expect(r.changed).toBe(false);
    // A different value is a conflict with the other applier (no "using" for Apply managers).
    const e = thrown(() => doApply(r.object, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 4 } }, 'b')) as ApplyConflictError;
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.replicas');
  });

  it('removes a container dropped from the applied list when solely owned, keeps it otherwise', () => {
    const two = [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }];
    const live = doApply(undefined, deployment({ containers: two }), 'kubectl').object;
    const r = doApply(live, deployment(), 'kubectl');
    expect(r.object.spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.27' }]);
    expect(fields(entry(r.managedFields, 'kubectl'))).not.toContain('sidecar');

    // Another applier applies the sidecar too: the item stays, with the fields that applier set.
    const shared = doApply(live, deployment({ containers: [{ name: 'sidecar', image: 'busybox' }] }), 'b').object;
    const kept = doApply(shared, deployment(), 'kubectl');
    expect(kept.object.spec.template.spec.containers).toEqual(two);

    // An updater that only changed a field of the item does not own the item itself (as upstream:
    // ownership of the item is its "." entry), so the item still goes.
    const edited: Obj = structuredClone(live);
    edited.spec.template.spec.containers[1].image = 'busybox:1.36';
    edited.metadata.managedFields = trackUpdate({ live, updated: edited, manager: 'kubectl-edit', apiVersion: 'apps/v1', time: T1, schema });
    expect(fields(entry(edited.metadata.managedFields, 'kubectl-edit'))).toBe(
      '{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"sidecar\\"}":{"f:image":{}}}}}}}',
    );
    const gone = doApply(edited, deployment(), 'kubectl');
    expect(gone.object.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['nginx']);
  });

  it('keeps labels granular: appliers own separate keys', () => {
    const live = doApply(undefined, deployment(), 'a').object;
    const r = doApply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { env: 'prod' } } }, 'b');
    expect(r.object.metadata.labels).toEqual({ app: 'web', env: 'prod' });
    expect(fields(entry(r.managedFields, 'b'))).toBe('{"f:metadata":{"f:labels":{"f:env":{}}}}');
    expect(fields(entry(r.managedFields, 'a'))).toContain('"f:app"');
  });

  it('keeps the applier timestamp when re-applying the same configuration', () => {
    const live = doApply(undefined, deployment(), 'kubectl', false, T1).object;
    const r = doApply(live, deployment(), 'kubectl', false, T2);
    expect(r.changed).toBe(false);
    expect(r.managedFields[0]?.time).toBe(T1);
  });

  it.each([
    {
      name: 'managedFields in the configuration',
      applied: { ...deployment(), metadata: { name: 'web', managedFields: [] } },
      message: 'metadata.managedFields must be nil',
    },
    {
      name: 'a container without its name',
      applied: deployment({ containers: [{ image: 'x' }] }),
      message: 'omits key field "name"',
    },
  ])('rejects $name', ({ applied, message }) => {
    const e = thrown(() => doApply(undefined, applied, 'kubectl'));
    expect(e).toBeInstanceOf(ApplyInvalidError);
    expect((e as Error).message).toContain(message);
  });
});
