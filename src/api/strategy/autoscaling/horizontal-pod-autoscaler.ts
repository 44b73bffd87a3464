/**
 * autoscaling HorizontalPodAutoscaler (v1 and v2): minReplicas 1; v2 defaults a CPU 80% metric and
 * fills given scaling behavior; scaleTargetRef and replica bounds are validated.
 */
import { FieldPath, invalid, required, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

const isV1 = (hpa: any) => hpa?.apiVersion === 'autoscaling/v1';

function fillRules(rules: any, def: any): any {
  const r = rules && typeof rules === 'object' ? rules : {};
  if (r.stabilizationWindowSeconds === undefined || r.stabilizationWindowSeconds === null) r.stabilizationWindowSeconds = def.stabilizationWindowSeconds;
  if (!r.selectPolicy) r.selectPolicy = def.selectPolicy;
  if (!Array.isArray(r.policies) || r.policies.length === 0) r.policies = def.policies;
  return r;
}

export const horizontalPodAutoscalerStrategy: KindStrategy = {
  defaults(hpa: any) {
    if (!hpa.spec || typeof hpa.spec !== 'object') hpa.spec = {};
    const s = hpa.spec;
    if (s.minReplicas === undefined || s.minReplicas === null) s.minReplicas = 1;
    if (isV1(hpa)) return;
    if (!Array.isArray(s.metrics) || s.metrics.length === 0) {
      s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
    if (s.behavior && typeof s.behavior === 'object') {
      s.behavior.scaleUp = fillRules(s.behavior.scaleUp, {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      });
      s.behavior.scaleDown = fillRules(s.behavior.scaleDown, {
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      });
    }
  },
  validate(hpa: any): FieldError[] {
    const s = hpa?.spec ?? {};
    const spec = FieldPath.root('spec');
    const errs: FieldError[] = [];
    const ref = s.scaleTargetRef;
    const rp = spec.child('scaleTargetRef');
    if (!ref?.kind) errs.push(required(rp.child('kind')));
    if (!ref?.name) errs.push(required(rp.child('name')));
    if (typeof s.minReplicas === 'number' && s.minReplicas < 1) {
      errs.push(invalid(spec.child('minReplicas'), s.minReplicas, 'must be greater than or equal to 1'));
    }
    if (typeof s.maxReplicas !== 'number' || s.maxReplicas < 1) errs.push(invalid(spec.child('maxReplicas'), s.maxReplicas ?? 0, 'must be greater than 0'));
    if (typeof s.minReplicas === 'number' && typeof s.maxReplicas === 'number' && s.minReplicas > s.maxReplicas) {
      errs.push(invalid(spec.child('minReplicas'), s.minReplicas, 'must be less than or equal to maxReplicas'));
    }
    if (isV1(hpa) && typeof s.targetCPUUtilizationPercentage === 'number' && s.targetCPUUtilizationPercentage < 1) {
      errs.push(invalid(spec.child('targetCPUUtilizationPercentage'), s.targetCPUUtilizationPercentage, 'must be greater than 0'));
    }
    return errs;
  },
};
