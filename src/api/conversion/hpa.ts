/**
 * autoscaling/v1 HorizontalPodAutoscaler <-> autoscaling/v2 (the storage version), after upstream's
 * pkg/apis/autoscaling/v1 conversion.
 *
 * v1 only knows a CPU utilization target and current value. Everything else v2 has travels in
 * annotations on the v1 object, so a v1 client that reads an object and writes it back loses
 * nothing:
 * - `autoscaling.alpha.kubernetes.io/metrics`: spec metrics other than CPU utilization, as v1
 *   MetricSpecs (the v2beta1-shaped JSON of k8s.io/api/autoscaling/v1);
 * - `autoscaling.alpha.kubernetes.io/current-metrics`: all status metrics, as v1 MetricStatuses;
 * - `autoscaling.alpha.kubernetes.io/conditions`: status conditions;
 * - `autoscaling.alpha.kubernetes.io/behavior`: spec.behavior, in Go field names (upstream writes
 *   its internal type, which has no json tags).
 * A v1 object without a CPU target or other metrics gets the implicit 80% CPU utilization target.
 * The v1-to-v2 direction also applies v1 defaulting (minReplicas 1).
 */
import type { Conversion } from './index.js';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP_ANNOTATIONS = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

/** The CPU utilization autoscaling/v1 implies when no target is given. */
export const DEFAULT_CPU_UTILIZATION = 80;

type Obj = Record<string, any>;

const has = (o: any, k: string): boolean => o !== null && typeof o === 'object' && o[k] !== undefined && o[k] !== null;
const obj = (v: any): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});
const arr = (v: any): any[] => (Array.isArray(v) ? v : []);
/** A Go non-pointer resource.Quantity: the zero quantity marshals as "0". */
const qty = (o: any, k: string): unknown => (has(o, k) ? o[k] : '0');

/** Sets `to[k]` from `from[fk]` when present. */
function put(to: Obj, k: string, from: any, fk: string = k): void {
  if (has(from, fk)) to[k] = from[fk];
}

/** JSON as Go's encoding/json writes it (HTML-sensitive characters escaped). */
function goJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function parseJson(s: unknown): unknown {
  if (typeof s !== 'string') return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function crossRef(r: any): Obj {
  const out: Obj = { kind: obj(r).kind ?? '', name: obj(r).name ?? '' };
  put(out, 'apiVersion', r);
  return out;
}

function isCpuResource(m: any): boolean {
  return m?.type === 'Resource' && obj(m.resource).name === 'cpu';
}

function isCpuUtilization(m: any): boolean {
  return isCpuResource(m) && has(obj(m.resource).target, 'averageUtilization');
}

// ---- metric specs -------------------------------------------------------------------------

function metricSpecToV1(m: any): Obj {
  const out: Obj = { type: m?.type ?? '' };
  if (has(m, 'object')) {
    const o = m.object;
    const t = obj(o.target);
    const v: Obj = { target: crossRef(o.describedObject), metricName: obj(o.metric).name ?? '', targetValue: qty(t, 'value') };
    put(v, 'selector', o.metric);
    put(v, 'averageValue', t);
    out.object = v;
  }
  if (has(m, 'pods')) {
    const p = m.pods;
    const v: Obj = { metricName: obj(p.metric).name ?? '', targetAverageValue: qty(p.target, 'averageValue') };
    put(v, 'selector', p.metric);
    out.pods = v;
  }
  for (const key of ['resource', 'containerResource']) {
    if (!has(m, key)) continue;
    const r = m[key];
    const v: Obj = { name: r.name ?? '' };
    put(v, 'targetAverageUtilization', r.target, 'averageUtilization');
    put(v, 'targetAverageValue', r.target, 'averageValue');
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (has(m, 'external')) {
    const e = m.external;
    const v: Obj = { metricName: obj(e.metric).name ?? '' };
    put(v, 'metricSelector', e.metric, 'selector');
    put(v, 'targetValue', e.target, 'value');
    put(v, 'targetAverageValue', e.target, 'averageValue');
    out.external = v;
  }
  return out;
}

function metricId(name: unknown, selectorFrom: any, selectorKey: string): Obj {
  const id: Obj = { name: name ?? '' };
  put(id, 'selector', selectorFrom, selectorKey);
  return id;
}

function metricSpecFromV1(m: any): Obj {
  const out: Obj = { type: m?.type ?? '' };
  if (has(m, 'object')) {
    const o = m.object;
    const target: Obj = { type: has(o, 'averageValue') ? 'AverageValue' : 'Value', value: qty(o, 'targetValue') };
    put(target, 'averageValue', o);
    out.object = { describedObject: crossRef(o.target), target, metric: metricId(o.metricName, o, 'selector') };
  }
  if (has(m, 'pods')) {
    const p = m.pods;
    out.pods = { metric: metricId(p.metricName, p, 'selector'), target: { type: 'AverageValue', averageValue: qty(p, 'targetAverageValue') } };
  }
  for (const key of ['resource', 'containerResource']) {
    if (!has(m, key)) continue;
    const r = m[key];
    const target: Obj = { type: has(r, 'targetAverageUtilization') ? 'Utilization' : 'AverageValue' };
    put(target, 'averageUtilization', r, 'targetAverageUtilization');
    put(target, 'averageValue', r, 'targetAverageValue');
    const v: Obj = { name: r.name ?? '', target };
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (has(m, 'external')) {
    const e = m.external;
    const target: Obj = { type: has(e, 'targetValue') ? 'Value' : 'AverageValue' };
    put(target, 'value', e, 'targetValue');
    put(target, 'averageValue', e, 'targetAverageValue');
    out.external = { metric: metricId(e.metricName, e, 'metricSelector'), target };
  }
  return out;
}

// ---- metric statuses ----------------------------------------------------------------------

function metricStatusToV1(m: any): Obj {
  const out: Obj = { type: m?.type ?? '' };
  if (has(m, 'object')) {
    const o = m.object;
    const c = obj(o.current);
    const v: Obj = { target: crossRef(o.describedObject), metricName: obj(o.metric).name ?? '', currentValue: qty(c, 'value') };
    put(v, 'selector', o.metric);
    put(v, 'averageValue', c);
    out.object = v;
  }
  if (has(m, 'pods')) {
    const p = m.pods;
    const v: Obj = { metricName: obj(p.metric).name ?? '', currentAverageValue: qty(p.current, 'averageValue') };
    put(v, 'selector', p.metric);
    out.pods = v;
  }
  for (const key of ['resource', 'containerResource']) {
    if (!has(m, key)) continue;
    const r = m[key];
    const v: Obj = { name: r.name ?? '' };
    put(v, 'currentAverageUtilization', r.current, 'averageUtilization');
    v.currentAverageValue = qty(r.current, 'averageValue');
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (has(m, 'external')) {
    const e = m.external;
    const v: Obj = { metricName: obj(e.metric).name ?? '' };
    put(v, 'metricSelector', e.metric, 'selector');
    v.currentValue = qty(e.current, 'value');
    put(v, 'currentAverageValue', e.current, 'averageValue');
    out.external = v;
  }
  return out;
}

function metricStatusFromV1(m: any): Obj {
  const out: Obj = { type: m?.type ?? '' };
  if (has(m, 'object')) {
    const o = m.object;
    const current: Obj = { value: qty(o, 'currentValue') };
    put(current, 'averageValue', o);
    out.object = { metric: metricId(o.metricName, o, 'selector'), current, describedObject: crossRef(o.target) };
  }
  if (has(m, 'pods')) {
    const p = m.pods;
    out.pods = { metric: metricId(p.metricName, p, 'selector'), current: { averageValue: qty(p, 'currentAverageValue') } };
  }
  for (const key of ['resource', 'containerResource']) {
    if (!has(m, key)) continue;
    const r = m[key];
    const current: Obj = { averageValue: qty(r, 'currentAverageValue') };
    put(current, 'averageUtilization', r, 'currentAverageUtilization');
    const v: Obj = { name: r.name ?? '', current };
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (has(m, 'external')) {
    const e = m.external;
    const current: Obj = { value: qty(e, 'currentValue') };
    put(current, 'averageValue', e, 'currentAverageValue');
    out.external = { metric: metricId(e.metricName, e, 'metricSelector'), current };
  }
  return out;
}

// ---- conditions and behavior --------------------------------------------------------------

function conditionToV1(c: any): Obj {
  const out: Obj = { type: c?.type ?? '', status: c?.status ?? '' };
  out.lastTransitionTime = c?.lastTransitionTime ?? null;
  put(out, 'reason', c);
  put(out, 'message', c);
  return out;
}

function conditionFromV1(c: any): Obj {
  const out: Obj = { type: c?.type ?? '', status: c?.status ?? '' };
  put(out, 'lastTransitionTime', c);
  put(out, 'reason', c);
  put(out, 'message', c);
  return out;
}

/** spec.behavior as upstream writes its internal type: Go field names, nil as null. */
function behaviorToGo(b: any): Obj {
  const rules = (r: any): Obj | null => {
    if (r === undefined || r === null) return null;
    return {
      StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null,
      SelectPolicy: r.selectPolicy ?? null,
      Policies: Array.isArray(r.policies)
        ? r.policies.map((p: any) => ({ Type: p?.type ?? '', Value: p?.value ?? 0, PeriodSeconds: p?.periodSeconds ?? 0 }))
        : null,
    };
  };
  return { ScaleUp: rules(b.scaleUp), ScaleDown: rules(b.scaleDown) };
}

/** A key matched as Go's encoding/json does: exactly, else case-insensitively. */
function goField(o: any, name: string): any {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  const k = Object.keys(o).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : o[k];
}

/** The behavior annotation back as spec.behavior; undefined when malformed or empty. */
function behaviorFromGo(raw: unknown): Obj | undefined {
  const v = parseJson(raw);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const rules = (r: any): Obj | undefined => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return undefined;
    const out: Obj = {};
    const sw = goField(r, 'StabilizationWindowSeconds');
    if (sw !== undefined && sw !== null) out.stabilizationWindowSeconds = sw;
    const sp = goField(r, 'SelectPolicy');
    if (sp !== undefined && sp !== null) out.selectPolicy = sp;
    const ps = goField(r, 'Policies');
    if (Array.isArray(ps)) {
      out.policies = ps.map((p) => ({ type: goField(p, 'Type') ?? '', value: goField(p, 'Value') ?? 0, periodSeconds: goField(p, 'PeriodSeconds') ?? 0 }));
    }
    return out;
  };
  const out: Obj = {};
  const up = rules(goField(v, 'ScaleUp'));
  const down = rules(goField(v, 'ScaleDown'));
  if (up) out.scaleUp = up;
  if (down) out.scaleDown = down;
  return up || down ? out : undefined;
}

// ---- objects ------------------------------------------------------------------------------

/** metadata with the round-trip annotations removed and `add` set; the input is not changed. */
function withAnnotations(metadata: any, add: Record<string, string>): any {
  const md = obj(metadata);
  const annotations: Record<string, string> = { ...obj(md.annotations) };
  for (const k of ROUND_TRIP_ANNOTATIONS) delete annotations[k];
  Object.assign(annotations, add);
  const out: Obj = { ...md };
  if (Object.keys(annotations).length) out.annotations = annotations;
  else delete out.annotations;
  return metadata === undefined && !out.annotations ? undefined : out;
}

/** A stored autoscaling/v2 HorizontalPodAutoscaler as autoscaling/v1. */
export function hpaV2ToV1(hpa: any): any {
  const inSpec = obj(hpa?.spec);
  const inStatus = obj(hpa?.status);
  const metrics = arr(inSpec.metrics);

  const spec: Obj = { scaleTargetRef: crossRef(inSpec.scaleTargetRef) };
  put(spec, 'minReplicas', inSpec);
  spec.maxReplicas = inSpec.maxReplicas ?? 0;
  // The first CPU resource metric decides, whether or not it is a utilization target.
  const cpu = metrics.find(isCpuResource);
  if (cpu && has(cpu.resource.target, 'averageUtilization')) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;

  const status: Obj = {};
  put(status, 'observedGeneration', inStatus);
  put(status, 'lastScaleTime', inStatus);
  status.currentReplicas = inStatus.currentReplicas ?? 0;
  status.desiredReplicas = inStatus.desiredReplicas ?? 0;
  const current = arr(inStatus.currentMetrics);
  // The last CPU utilization reported wins.
  for (const m of current) {
    if (isCpuResource(m) && has(m.resource.current, 'averageUtilization')) {
      status.currentCPUUtilizationPercentage = m.resource.current.averageUtilization;
    }
  }

  const add: Record<string, string> = {};
  const others = metrics.filter((m) => !isCpuUtilization(m));
  if (others.length) add[METRICS_ANNOTATION] = goJson(others.map(metricSpecToV1));
  if (current.length) add[CURRENT_METRICS_ANNOTATION] = goJson(current.map(metricStatusToV1));
  const conditions = arr(inStatus.conditions);
  if (conditions.length) add[CONDITIONS_ANNOTATION] = goJson(conditions.map(conditionToV1));
  if (has(inSpec, 'behavior')) add[BEHAVIOR_ANNOTATION] = goJson(behaviorToGo(inSpec.behavior));

  const out: Obj = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' };
  const metadata = withAnnotations(hpa?.metadata, add);
  if (metadata !== undefined) out.metadata = metadata;
  out.spec = spec;
  out.status = status;
  return out;
}

/** An autoscaling/v1 HorizontalPodAutoscaler as the autoscaling/v2 object it is stored as. */
export function hpaV1ToV2(hpa: any): any {
  const inSpec = obj(hpa?.spec);
  const annotations = obj(hpa?.metadata?.annotations);

  const spec: Obj = { scaleTargetRef: crossRef(inSpec.scaleTargetRef) };
  // autoscaling/v1 defaulting.
  spec.minReplicas = has(inSpec, 'minReplicas') ? inSpec.minReplicas : 1;
  spec.maxReplicas = inSpec.maxReplicas ?? 0;
  const metrics: Obj[] = [];
  const others = parseJson(annotations[METRICS_ANNOTATION]);
  if (Array.isArray(others)) metrics.push(...others.map(metricSpecFromV1));
  // The CPU target goes after the metrics kept in the annotation, as upstream.
  if (has(inSpec, 'targetCPUUtilizationPercentage')) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: inSpec.targetCPUUtilizationPercentage } } });
  }
  // autoscaling/v1 formerly applied this default in the controller; v2 states it.
  if (!metrics.length) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } });
  }
  spec.metrics = metrics;
  const behavior = behaviorFromGo(annotations[BEHAVIOR_ANNOTATION]);
  if (behavior) spec.behavior = behavior;

  const out: Obj = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
  const metadata = withAnnotations(hpa?.metadata, {});
  if (metadata !== undefined) out.metadata = metadata;
  out.spec = spec;

  const currentFromAnnotation = parseJson(annotations[CURRENT_METRICS_ANNOTATION]);
  const conditions = parseJson(annotations[CONDITIONS_ANNOTATION]);
  if (hpa?.status !== undefined || Array.isArray(currentFromAnnotation) || Array.isArray(conditions)) {
    const inStatus = obj(hpa?.status);
    const status: Obj = {};
    put(status, 'observedGeneration', inStatus);
    put(status, 'lastScaleTime', inStatus);
    if (inStatus.currentReplicas) status.currentReplicas = inStatus.currentReplicas;
    status.desiredReplicas = inStatus.desiredReplicas ?? 0;
    if (Array.isArray(currentFromAnnotation)) {
      // These carry more than the CPU percentage: they win over it.
      status.currentMetrics = currentFromAnnotation.map(metricStatusFromV1);
    } else if (has(inStatus, 'currentCPUUtilizationPercentage')) {
      status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: inStatus.currentCPUUtilizationPercentage } } }];
    }
    if (Array.isArray(conditions)) status.conditions = conditions.map(conditionFromV1);
    out.status = status;
  }
  return out;
}

export const hpaConversion: Conversion = {
  toStorage(o, version) {
    return version === 'v1' ? hpaV1ToV2(o) : { ...o, apiVersion: 'autoscaling/v2' };
  },
  fromStorage(o, version) {
    return version === 'v1' ? hpaV2ToV1(o) : { ...o, apiVersion: `autoscaling/${version}` };
  },
};
