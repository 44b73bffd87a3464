import { describe, expect, it } from 'vitest';
import { conversionFor } from '../../src/api/conversion/index.js';

const events = conversionFor('events.k8s.io', 'events')!;
const hpa = conversionFor('autoscaling', 'horizontalpodautoscalers')!;

const meta = { name: 'x', namespace: 'default', uid: 'u-1', resourceVersion: '7', labels: { a: 'b' } };
const ref = { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'p-1', apiVersion: 'v1', resourceVersion: '3', fieldPath: 'spec.containers{web}' };

describe('conversions are registered for the served resources', () => {
  it('events.k8s.io events and autoscaling horizontalpodautoscalers', () => {
    expect(events).toBeDefined();
    expect(hpa).toBeDefined();
    expect(conversionFor('', 'events')).toBeUndefined();
  });
});

describe('events.k8s.io/v1 Event <-> core v1 Event', () => {
  const pairs: Array<{ name: string; core: any; ev: any }> = [
    {
      name: 'a legacy event (source, timestamps, count)',
      core: {
        apiVersion: 'v1', kind: 'Event', metadata: meta, involvedObject: ref, reason: 'Started', message: 'Started container web',
        source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:05:00Z',
        count: 3, type: 'Normal',
      },
      ev: {
        apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta, regarding: ref, reason: 'Started', note: 'Started container web',
        deprecatedSource: { component: 'kubelet', host: 'node-1' }, deprecatedFirstTimestamp: '2024-01-01T00:00:00Z',
        deprecatedLastTimestamp: '2024-01-01T00:05:00Z', deprecatedCount: 3, type: 'Normal',
      },
    },
    {
      name: 'a new-style event (eventTime, series, action, related, reporting)',
      core: {
        apiVersion: 'v1', kind: 'Event', metadata: meta, involvedObject: ref, related: { kind: 'Node', name: 'node-1' },
        reason: 'Scheduled', message: 'assigned', type: 'Normal', action: 'Binding', eventTime: '2024-01-01T00:00:00.123456Z',
        series: { count: 2, lastObservedTime: '2024-01-01T00:01:00.000000Z' }, reportingComponent: 'default-scheduler',
        reportingInstance: 'default-scheduler-node-1',
      },
      ev: {
        apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta, regarding: ref, related: { kind: 'Node', name: 'node-1' },
        reason: 'Scheduled', note: 'assigned', type: 'Normal', action: 'Binding', eventTime: '2024-01-01T00:00:00.123456Z',
        series: { count: 2, lastObservedTime: '2024-01-01T00:01:00.000000Z' }, reportingController: 'default-scheduler',
        reportingInstance: 'default-scheduler-node-1',
      },
    },
  ];

  it.each(pairs)('$name: core -> events.k8s.io', ({ core, ev }) => {
    expect(events.fromStorage(core, 'v1')).toEqual(ev);
  });
  it.each(pairs)('$name: events.k8s.io -> core', ({ core, ev }) => {
    expect(events.toStorage(ev, 'v1')).toEqual(core);
  });
  it.each(pairs)('$name: round trips both ways', ({ core, ev }) => {
    expect(events.toStorage(events.fromStorage(core, 'v1'), 'v1')).toEqual(core);
    expect(events.fromStorage(events.toStorage(ev, 'v1'), 'v1')).toEqual(ev);
  });

  it('does not derive reportingController from source.component (as upstream)', () => {
    const out = events.fromStorage({ apiVersion: 'v1', kind: 'Event', metadata: meta, involvedObject: ref, source: { component: 'kubelet' } }, 'v1');
    expect(out.reportingController).toBeUndefined();
    expect(out.deprecatedSource).toEqual({ component: 'kubelet' });
  });

  it('an event without regarding is stored with an empty involvedObject', () => {
    expect(events.toStorage({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta, note: 'n' }, 'v1'))
      .toEqual({ apiVersion: 'v1', kind: 'Event', metadata: meta, involvedObject: {}, message: 'n' });
  });

  it('leaves its input unchanged', () => {
    const core = structuredClone(pairs[0].core);
    events.fromStorage(core, 'v1');
    expect(core).toEqual(pairs[0].core);
  });
});

const A = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  current: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
};
const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (pct: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: pct } } });
const v2 = (spec: any, status?: any, metadata: any = meta) => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: { scaleTargetRef: target, ...spec }, ...(status ? { status } : {}),
});

describe('autoscaling/v2 HorizontalPodAutoscaler -> v1', () => {
  const cases: Array<{ name: string; in: any; spec: any; status: any; annotations?: Record<string, unknown> }> = [
    {
      name: 'a CPU utilization target becomes targetCPUUtilizationPercentage',
      in: v2({ minReplicas: 1, maxReplicas: 5, metrics: [cpu(60)] }, { desiredReplicas: 0 }),
      spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    },
    {
      name: 'other metrics go to the metrics annotation in v1 form',
      in: v2({ maxReplicas: 3, metrics: [
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        { type: 'External', external: { metric: { name: 'queue', selector: { matchLabels: { q: 'a' } } }, target: { type: 'Value', value: '30' } } },
        { type: 'Object', object: { describedObject: { kind: 'Service', name: 'svc', apiVersion: 'v1' }, metric: { name: 'rps' }, target: { type: 'Value', value: '5' } } },
        { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 50 } } },
        cpu(70),
      ] }),
      spec: { scaleTargetRef: target, maxReplicas: 3, targetCPUUtilizationPercentage: 70 },
      status: { currentReplicas: 0, desiredReplicas: 0 },
      annotations: {
        [A.metrics]: [
          { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
          { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
          { type: 'External', external: { metricName: 'queue', metricSelector: { matchLabels: { q: 'a' } }, targetValue: '30' } },
          { type: 'Object', object: { target: { kind: 'Service', name: 'svc', apiVersion: 'v1' }, metricName: 'rps', targetValue: '5' } },
          { type: 'ContainerResource', containerResource: { name: 'cpu', targetAverageUtilization: 50, container: 'app' } },
        ],
      },
    },
    {
      name: 'status metrics, conditions and behavior go to annotations; the CPU utilization also shows',
      in: v2({ maxReplicas: 4, metrics: [cpu(50)], behavior: { scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } } }, {
        observedGeneration: 2, currentReplicas: 2, desiredReplicas: 3, lastScaleTime: '2024-01-01T00:00:00Z',
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '120m', averageUtilization: 75 } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'ok' }],
      }),
      spec: { scaleTargetRef: target, maxReplicas: 4, targetCPUUtilizationPercentage: 50 },
      status: { observedGeneration: 2, lastScaleTime: '2024-01-01T00:00:00Z', currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 75 },
      annotations: {
        [A.current]: [{ type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 75, currentAverageValue: '120m' } }],
        [A.conditions]: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'ok' }],
        [A.behavior]: { ScaleUp: null, ScaleDown: { StabilizationWindowSeconds: 300, SelectPolicy: 'Max', Policies: [{ Type: 'Percent', Value: 100, PeriodSeconds: 15 }] } },
      },
    },
  ];

  it.each(cases)('$name', (c) => {
    const out = hpa.fromStorage(c.in, 'v1');
    expect(out.apiVersion).toBe('autoscaling/v1');
    expect(out.kind).toBe('HorizontalPodAutoscaler');
    expect(out.spec).toEqual(c.spec);
    expect(out.status).toEqual(c.status);
    const { annotations = {}, ...rest } = out.metadata;
    const { annotations: _, ...restIn } = c.in.metadata;
    expect(rest).toEqual(restIn);
    expect(Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, JSON.parse(v as string)]))).toEqual(c.annotations ?? {});
  });

  it('keeps the user annotations and writes the behavior keys in Go field order', () => {
    const out = hpa.fromStorage(v2({ maxReplicas: 2, metrics: [cpu(80)], behavior: { scaleUp: { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }], stabilizationWindowSeconds: 0 } } }, undefined, { ...meta, annotations: { team: 'a' } }), 'v1');
    expect(out.metadata.annotations.team).toBe('a');
    expect(out.metadata.annotations[A.behavior]).toBe('{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15}]},"ScaleDown":null}');
  });
});

describe('autoscaling/v1 HorizontalPodAutoscaler -> v2', () => {
  const v1 = (spec: any, annotations?: Record<string, string>, status?: any) => ({
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: annotations ? { ...meta, annotations } : meta,
    spec: { scaleTargetRef: target, ...spec }, ...(status ? { status } : {}),
  });
  const cases: Array<{ name: string; in: any; out: any }> = [
    { name: 'targetCPUUtilizationPercentage becomes a Resource cpu Utilization metric', in: v1({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }), out: v2({ minReplicas: 2, maxReplicas: 5, metrics: [cpu(60)] }) },
    { name: 'no target gets the 80% CPU default and minReplicas 1', in: v1({ maxReplicas: 5 }), out: v2({ minReplicas: 1, maxReplicas: 5, metrics: [cpu(80)] }) },
    {
      name: 'metrics from the annotation come first, the CPU target last; the annotation is dropped',
      in: v1({ minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }, { [A.metrics]: '[{"type":"Resource","resource":{"name":"memory","targetAverageUtilization":70}}]', team: 'a' }),
      out: v2({ minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } }, cpu(60)] }, undefined, { ...meta, annotations: { team: 'a' } }),
    },
    {
      name: 'a CPU status becomes currentMetrics',
      in: v1({ minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }, undefined, { currentReplicas: 1, desiredReplicas: 2, currentCPUUtilizationPercentage: 40 }),
      out: v2({ minReplicas: 1, maxReplicas: 5, metrics: [cpu(60)] }, { currentReplicas: 1, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] }),
    },
    {
      name: 'a malformed behavior annotation is ignored and dropped',
      in: v1({ minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }, { [A.behavior]: 'not json' }),
      out: v2({ minReplicas: 1, maxReplicas: 5, metrics: [cpu(60)] }),
    },
  ];
  it.each(cases)('$name', (c) => {
    expect(hpa.toStorage(c.in, 'v1')).toEqual(c.out);
  });
});

describe('HorizontalPodAutoscaler round trips', () => {
  const full = v2({
    minReplicas: 1, maxReplicas: 10,
    metrics: [
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps', selector: { matchLabels: { a: 'b' } } }, target: { type: 'AverageValue', averageValue: '10' } } },
      { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '3' } } },
      { type: 'Object', object: { describedObject: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, metric: { name: 'rps' }, target: { type: 'Value', value: '2k' } } },
      { type: 'ContainerResource', containerResource: { name: 'memory', container: 'app', target: { type: 'AverageValue', averageValue: '1Gi' } } },
      cpu(65),
    ],
    behavior: {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Min', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    },
  }, {
    observedGeneration: 3, lastScaleTime: '2024-01-01T00:00:00Z', currentReplicas: 3, desiredReplicas: 4,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '90Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '12' } } },
      { type: 'Object', object: { describedObject: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, metric: { name: 'rps' }, current: { value: '1500' } } },
      { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '250m', averageUtilization: 70 } } },
    ],
    conditions: [
      { type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
      { type: 'ScalingActive', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ValidMetricFound', message: 'ok' },
    ],
  }, { ...meta, annotations: { team: 'a' } });

  const v2Cases: Array<{ name: string; obj: any }> = [
    // Stored v2 objects always carry a status (desiredReplicas is not omitted when zero).
    { name: 'CPU only', obj: v2({ minReplicas: 1, maxReplicas: 5, metrics: [cpu(60)] }, { desiredReplicas: 0 }) },
    { name: 'every metric kind, behavior, status metrics and conditions', obj: full },
    { name: 'no CPU metric at all', obj: v2({ minReplicas: 2, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } }] }, { desiredReplicas: 0 }) },
  ];
  it.each(v2Cases)('v2 -> v1 -> v2 keeps $name', ({ obj }) => {
    const before = structuredClone(obj);
    const back = hpa.toStorage(hpa.fromStorage(obj, 'v1'), 'v1');
    expect(back).toEqual(obj);
    expect(obj).toEqual(before);
  });

  const v1Cases: Array<{ name: string; obj: any }> = [
    { name: 'a CPU target', obj: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: meta, spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }, status: { currentReplicas: 0, desiredReplicas: 0 } } },
    { name: 'a CPU target and status', obj: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { ...meta, annotations: { team: 'a' } }, spec: { scaleTargetRef: target, minReplicas: 3, maxReplicas: 9, targetCPUUtilizationPercentage: 40 }, status: { observedGeneration: 1, currentReplicas: 3, desiredReplicas: 3, currentCPUUtilizationPercentage: 20 } } },
  ];
  it.each(v1Cases)('v1 -> v2 -> v1 keeps $name', ({ obj }) => {
    const v2obj = hpa.toStorage(obj, 'v1');
    const back = hpa.fromStorage(v2obj, 'v1');
    // The CPU status comes back in the current-metrics annotation as well as in the field, as upstream.
    const annotations = { ...back.metadata.annotations };
    delete annotations['autoscaling.alpha.kubernetes.io/current-metrics'];
    expect({ ...back, metadata: { ...back.metadata, annotations: Object.keys(annotations).length ? annotations : undefined } })
      .toEqual({ ...obj, metadata: { ...obj.metadata, annotations: obj.metadata.annotations } });
  });

  it('a v1 client writing back what it read changes nothing in storage', () => {
    const asV1 = hpa.fromStorage(full, 'v1');
    const edited = { ...asV1, spec: { ...asV1.spec, maxReplicas: 12 } };
    expect(hpa.toStorage(edited, 'v1')).toEqual({ ...full, spec: { ...full.spec, maxReplicas: 12 } });
  });

  it('moves the CPU utilization metric last, as upstream', () => {
    const obj = v2({ minReplicas: 1, maxReplicas: 5, metrics: [cpu(60), { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1' } } }] });
    expect(hpa.toStorage(hpa.fromStorage(obj, 'v1'), 'v1').spec.metrics.map((m: any) => m.type)).toEqual(['Pods', 'Resource']);
  });
});
