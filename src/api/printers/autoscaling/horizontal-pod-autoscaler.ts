/**
 * autoscaling HorizontalPodAutoscaler (v1 and v2 objects): NAME REFERENCE TARGETS MINPODS MAXPODS
 * REPLICAS AGE. A v1 object's CPU target is read as the equivalent v2 Resource metric.
 */
import { age, ageColumn, column, int, nameColumn, quantity } from '../format.js';
import type { TablePrinter } from '../types.js';

/** The CPU utilization the API defaults to when an autoscaler lists no metrics. */
const DEFAULT_CPU_UTILIZATION = 80;
const MAX_SHOWN = 2;

/** spec.metrics and status.currentMetrics in v2 form, whatever version the object is. */
export function hpaMetrics(hpa: any): { specs: any[]; statuses: any[] } {
  const spec = hpa?.spec ?? {};
  const status = hpa?.status ?? {};
  let specs: any[] = Array.isArray(spec.metrics) ? spec.metrics : [];
  let statuses: any[] = Array.isArray(status.currentMetrics) ? status.currentMetrics : [];
  const isV1 =
    hpa?.apiVersion === 'autoscaling/v1' ||
    'targetCPUUtilizationPercentage' in spec ||
    'currentCPUUtilizationPercentage' in status;
  if (isV1 && specs.length === 0) {
    const target = typeof spec.targetCPUUtilizationPercentage === 'number' ? spec.targetCPUUtilizationPercentage : undefined;
    if (target !== undefined) {
      specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }];
    }
    if (statuses.length === 0 && typeof status.currentCPUUtilizationPercentage === 'number') {
      statuses = [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } },
      ];
    }
  }
  if (specs.length === 0) {
    specs = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } },
      },
    ];
  }
  return { specs, statuses };
}

function pct(v: unknown): string | undefined {
  return typeof v === 'number' ? `${v}%` : undefined;
}

/** One `current/target` entry per metric; "<unknown>" where no current value is reported. */
function formatMetric(spec: any, status: any): string {
  const unknown = '<unknown>';
  switch (spec?.type) {
    case 'External': {
      const target = spec.external?.target ?? {};
      if (target.averageValue !== undefined) {
        const cur = status?.external?.current?.averageValue;
        return `${cur !== undefined ? quantity(cur) : unknown}/${quantity(target.averageValue)} (avg)`;
      }
      const cur = status?.external ? quantity(status.external.current?.value) : unknown;
      return `${cur}/${quantity(target.value)}`;
    }
    case 'Pods': {
      const cur = status?.pods ? quantity(status.pods.current?.averageValue) : unknown;
      return `${cur}/${quantity(spec.pods?.target?.averageValue)}`;
    }
    case 'Object': {
      const target = spec.object?.target ?? {};
      if (target.averageValue !== undefined) {
        const cur = status?.object?.current?.averageValue;
        return `${cur !== undefined ? quantity(cur) : unknown}/${quantity(target.averageValue)} (avg)`;
      }
      const cur = status?.object ? quantity(status.object.current?.value) : unknown;
      return `${cur}/${quantity(target.value)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const src = spec[key] ?? {};
      const cur = status?.[key];
      if (src.target?.averageValue !== undefined) {
        return `${src.name}: ${cur ? quantity(cur.current?.averageValue) : unknown}/${quantity(src.target.averageValue)}`;
      }
      return `${src.name}: ${pct(cur?.current?.averageUtilization) ?? unknown}/${pct(src.target?.averageUtilization) ?? '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** The TARGETS cell: the first two metrics, then " + N more...". */
export function hpaTargets(hpa: any): string {
  const { specs, statuses } = hpaMetrics(hpa);
  const list = specs.map((s, i) => formatMetric(s, statuses[i]));
  const ret = list.slice(0, MAX_SHOWN).join(', ');
  return list.length > MAX_SHOWN ? `${ret} + ${list.length - MAX_SHOWN} more...` : ret;
}

export const horizontalPodAutoscalerPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Reference', 'Workload being scaled, as Kind/name.'),
    column('Targets', 'Current and target values of each metric.'),
    column('MinPods', 'Lower replica bound.'),
    column('MaxPods', 'Upper replica bound.'),
    column('Replicas', 'Replicas the autoscaler last observed.'),
    ageColumn,
  ],
  cells(hpa, now) {
    const spec = hpa?.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    return [
      hpa?.metadata?.name ?? '',
      `${ref.kind ?? ''}/${ref.name ?? ''}`,
      hpaTargets(hpa),
      String(int(spec.minReplicas, 1)), // the API defaults minReplicas to 1
      int(spec.maxReplicas),
      int(hpa?.status?.currentReplicas),
      age(hpa, now),
    ];
  },
};
