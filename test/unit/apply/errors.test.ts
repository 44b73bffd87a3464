import { describe, expect, it } from 'vitest';
import { ApplyConflictError, conflictMessage, type ApplyConflict } from '../../../src/machinery/apply/index.js';

describe('apply conflict wording', () => {
  const upd = (manager: string, field: string, subresource?: string): ApplyConflict => ({
    manager,
    operation: 'Update',
    apiVersion: 'apps/v1',
    field,
    ...(subresource ? { subresource } : {}),
  });
  const app = (manager: string, field: string): ApplyConflict => ({ manager, operation: 'Apply', apiVersion: 'apps/v1', field });

  it.each([
    {
      name: 'one Update manager',
      conflicts: [upd('kubectl-client-side-apply', '.spec.replicas')],
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      causes: ['conflict with "kubectl-client-side-apply" using apps/v1'],
    },
    {
      name: 'one Apply manager (no version)',
      conflicts: [app('helm', '.spec.template.spec.containers[name="nginx"].image')],
      message: 'Apply failed with 1 conflict: conflict with "helm": .spec.template.spec.containers[name="nginx"].image',
      causes: ['conflict with "helm"'],
    },
    {
      name: 'a subresource manager',
      conflicts: [upd('kube-controller-manager', '.spec.replicas', 'scale')],
      message: 'Apply failed with 1 conflict: conflict with "kube-controller-manager" with subresource "scale" using apps/v1: .spec.replicas',
      causes: ['conflict with "kube-controller-manager" with subresource "scale" using apps/v1'],
    },
    {
      name: 'several, grouped by sorted manager identifier',
      conflicts: [upd('zeta', '.spec.paused'), app('alpha', '.spec.replicas'), upd('zeta', '.spec.minReadySeconds')],
      message:
        'Apply failed with 3 conflicts: conflicts with "alpha":\n- .spec.replicas\nconflicts with "zeta" using apps/v1:\n- .spec.paused\n- .spec.minReadySeconds',
      causes: ['conflict with "zeta" using apps/v1', 'conflict with "alpha"', 'conflict with "zeta" using apps/v1'],
    },
  ])('$name', ({ conflicts, message, causes }) => {
    expect(conflictMessage(conflicts)).toBe(message);
    const e = new ApplyConflictError(conflicts);
    expect(e.message).toBe(message);
    expect(e.causes.map((c) => c.message)).toEqual(causes);
    expect(e.causes.map((c) => c.field)).toEqual(conflicts.map((c) => c.field));
    expect(e.causes.every((c) => c.type === 'FieldManagerConflict')).toBe(true);
  });
});
