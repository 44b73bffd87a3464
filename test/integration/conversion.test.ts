/**
 * Objects stored in one version and served in another, through the real kubectl: events.k8s.io/v1
 * Events over core Events, autoscaling/v1 HorizontalPodAutoscalers over autoscaling/v2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
  const r = await t.kubectl(['create', 'deployment', 'web', '--image=nginx']);
  expect(r.stderr).toBe('');
});
afterAll(async () => {
  await t?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input });
  expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

const coreEvent = `apiVersion: v1
kind: Event
metadata: {name: web-started, namespace: default}
involvedObject: {kind: Pod, name: web-1, namespace: default, fieldPath: "spec.containers{web}"}
reason: Started
message: Started container web
type: Normal
source: {component: kubelet, host: node-1}
reportingComponent: kubelet
reportingInstance: node-1
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:05:00Z"
count: 2
`;

const eventsV1Event = `apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: web-scaled, namespace: default}
regarding: {kind: Deployment, name: web, namespace: default, apiVersion: apps/v1}
related: {kind: ReplicaSet, name: web-abc, namespace: default}
reason: ScalingReplicaSet
note: Scaled up replica set web-abc to 1
type: Normal
action: Scale
eventTime: "2024-01-01T00:00:00.000000Z"
reportingController: example.com/scaler
reportingInstance: scaler-1
`;

describe('events.k8s.io/v1 Events are the core Events', () => {
  beforeAll(async () => {
    await ok(['create', '-f', '-'], coreEvent);
    await ok(['create', '-f', '-'], eventsV1Event);
  });

  it('a core Event reads as events.k8s.io/v1 with regarding and note', async () => {
    const ev = parse(await ok(['get', 'events.v1.events.k8s.io', 'web-started', '-o', 'yaml']));
    expect(ev.apiVersion).toBe('events.k8s.io/v1');
    expect(ev.kind).toBe('Event');
    expect(ev.regarding).toEqual({ kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{web}' });
    expect(ev.note).toBe('Started container web');
    expect(ev.reportingController).toBe('kubelet');
    expect(ev.reportingInstance).toBe('node-1');
    expect(ev.deprecatedSource).toEqual({ component: 'kubelet', host: 'node-1' });
    expect(ev.deprecatedFirstTimestamp).toBe('2024-01-01T00:00:00Z');
    expect(ev.deprecatedLastTimestamp).toBe('2024-01-01T00:05:00Z');
    expect(ev.deprecatedCount).toBe(2);
    for (const core of ['involvedObject', 'message', 'source', 'count', 'reportingComponent']) expect(ev).not.toHaveProperty(core);
  });

  it('an events.k8s.io/v1 Event reads as a core Event', async () => {
    const ev = parse(await ok(['get', 'events.v1.', 'web-scaled', '-o', 'yaml']));
    expect(ev.apiVersion).toBe('v1');
    expect(ev.involvedObject).toEqual({ kind: 'Deployment', name: 'web', namespace: 'default', apiVersion: 'apps/v1' });
    expect(ev.related).toEqual({ kind: 'ReplicaSet', name: 'web-abc', namespace: 'default' });
    expect(ev.message).toBe('Scaled up replica set web-abc to 1');
    expect(ev.reportingComponent).toBe('example.com/scaler');
    expect(ev.reportingInstance).toBe('scaler-1');
    expect(ev.action).toBe('Scale');
    expect(ev.eventTime).toBe('2024-01-01T00:00:00.000000Z');
    const raw = JSON.parse(await ok(['get', '--raw', '/api/v1/namespaces/default/events/web-scaled']));
    expect(raw).toMatchObject({ apiVersion: 'v1', kind: 'Event', message: ev.message, involvedObject: ev.involvedObject });
    expect(raw).not.toHaveProperty('note');
    expect(raw).not.toHaveProperty('regarding');
  });

  it('lists in either group show both events in their own version', async () => {
    const v1 = JSON.parse(await ok(['get', '--raw', '/apis/events.k8s.io/v1/namespaces/default/events']));
    expect(v1.kind).toBe('EventList');
    expect(v1.apiVersion).toBe('events.k8s.io/v1');
    expect(v1.items.map((i: any) => [i.apiVersion, i.metadata.name, i.regarding?.name]).sort())
      .toEqual([['events.k8s.io/v1', 'web-scaled', 'web'], ['events.k8s.io/v1', 'web-started', 'web-1']]);
    const core = JSON.parse(await ok(['get', '--raw', '/api/v1/namespaces/default/events']));
    expect(core.items.map((i: any) => [i.apiVersion, i.metadata.name, i.involvedObject?.name]).sort())
      .toEqual([['v1', 'web-scaled', 'web'], ['v1', 'web-started', 'web-1']]);
  });

  it('kubectl get events.events.k8s.io prints LAST SEEN, REASON and OBJECT', async () => {
    const lines = (await ok(['get', 'events.events.k8s.io'])).trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(lines[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const rows = Object.fromEntries(lines.slice(1).map((c) => [c[3], c]));
    expect(rows['pod/web-1']?.slice(1)).toEqual(['Normal', 'Started', 'pod/web-1', 'Started container web']);
    expect(rows['deployment/web']?.slice(1)).toEqual(['Normal', 'ScalingReplicaSet', 'deployment/web', 'Scaled up replica set web-abc to 1']);
    for (const row of Object.values(rows)) expect(row[0]).toMatch(/^\d+[smhdy]/);
  });

  it('field selectors use the events.k8s.io names (regarding.*, reportingController)', async () => {
    const byName = JSON.parse(await ok(['get', 'events.v1.events.k8s.io', '--field-selector', 'regarding.name=web', '-o', 'json']));
    expect(byName.items.map((i: any) => i.metadata.name)).toEqual(['web-scaled']);
    const byController = JSON.parse(await ok(['get', 'events.v1.events.k8s.io', '--field-selector', 'reportingController=kubelet,regarding.kind=Pod', '-o', 'json']));
    expect(byController.items.map((i: any) => i.metadata.name)).toEqual(['web-started']);
    const core = JSON.parse(await ok(['get', 'events.v1.', '--field-selector', 'involvedObject.name=web', '-o', 'json']));
    expect(core.items.map((i: any) => i.metadata.name)).toEqual(['web-scaled']);
    const r = await t.kubectl(['get', 'events.v1.events.k8s.io', '--field-selector', 'involvedObject.name=web']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('field label not supported: involvedObject.name');
  });

  it('a watch through events.k8s.io sends events.k8s.io objects, filtered by regarding', async () => {
    const out = await ok(['get', '--raw', '/apis/events.k8s.io/v1/namespaces/default/events?watch=true&timeoutSeconds=1&fieldSelector=regarding.name%3Dweb-1']);
    const evs = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(evs.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name, e.object.note])).toEqual([
      ['ADDED', 'events.k8s.io/v1', 'web-started', 'Started container web'],
    ]);
  });
});

const hpaV2 = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: default, annotations: {team: payments}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 120
      selectPolicy: Max
      policies: [{type: Percent, value: 50, periodSeconds: 60}]
`;

describe('autoscaling/v1 HorizontalPodAutoscalers over autoscaling/v2 storage', () => {
  const getV1 = async (name: string) => JSON.parse(await ok(['get', 'horizontalpodautoscalers.v1.autoscaling', name, '-o', 'json']));
  const getV2 = async (name: string) => JSON.parse(await ok(['get', 'horizontalpodautoscalers.v2.autoscaling', name, '-o', 'json']));

  it('kubectl autoscale (an autoscaling/v1 object) reads back through both versions', async () => {
    await ok(['autoscale', 'deployment', 'web', '--cpu-percent=60', '--min=1', '--max=5']);
    const v1 = await getV1('web');
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
    expect(v1.metadata.annotations ?? {}).toEqual({});
    const v2 = await getV2('web');
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    expect(v2.metadata.uid).toBe(v1.metadata.uid);
    const table = await ok(['get', 'hpa', 'web']);
    expect(table).toMatch(/web\s+Deployment\/web\s+cpu: <unknown>\/60%\s+1\s+5\s+0/);
  });

  it('a raw autoscaling/v1 POST without a target gets the 80% CPU default', async () => {
    const body = JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bare' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3 } });
    const created = JSON.parse(await ok(['create', '--raw', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', '-f', '-'], body));
    expect(created.apiVersion).toBe('autoscaling/v1');
    expect(created.spec.targetCPUUtilizationPercentage).toBe(80);
    expect(created.spec.minReplicas).toBe(1);
    const v2 = await getV2('bare');
    expect(v2.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });

  it('v2-only fields show on the v1 object as annotations, and survive a v1 replace', async () => {
    await ok(['create', '-f', '-'], hpaV2);
    const v1 = await getV1('api');
    expect(v1.spec.targetCPUUtilizationPercentage).toBe(70);
    expect(v1.metadata.annotations.team).toBe('payments');
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
    ]);
    // The behavior in Go field names, including whatever defaulting filled in (scaleUp).
    const before = await getV2('api');
    const goRules = (r: any) => ({ StabilizationWindowSeconds: r.stabilizationWindowSeconds, SelectPolicy: r.selectPolicy, Policies: r.policies.map((p: any) => ({ Type: p.type, Value: p.value, PeriodSeconds: p.periodSeconds })) });
    const behavior = JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/behavior']);
    expect(behavior.ScaleDown).toEqual({ StabilizationWindowSeconds: 120, SelectPolicy: 'Max', Policies: [{ Type: 'Percent', Value: 50, PeriodSeconds: 60 }] });
    expect(behavior).toEqual({ ScaleUp: before.spec.behavior.scaleUp ? goRules(before.spec.behavior.scaleUp) : null, ScaleDown: goRules(before.spec.behavior.scaleDown) });

    v1.spec.maxReplicas = 12;
    await ok(['replace', '-f', '-'], JSON.stringify(v1));
    const after = await getV2('api');
    expect(after.spec).toEqual({ ...before.spec, maxReplicas: 12 });
    expect(after.metadata.annotations).toEqual({ team: 'payments' });

    await ok(['patch', 'horizontalpodautoscalers.v1.autoscaling', 'api', '--type=merge', '-p', '{"spec":{"targetCPUUtilizationPercentage":55}}']);
    const patched = await getV2('api');
    expect(patched.spec.metrics).toEqual([
      before.spec.metrics[0],
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 55 } } },
    ]);
    expect(patched.spec.behavior).toEqual(before.spec.behavior);
  });

  it('a v1 list converts every item', async () => {
    const list = JSON.parse(await ok(['get', '--raw', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers']));
    expect(list.apiVersion).toBe('autoscaling/v1');
    expect(list.kind).toBe('HorizontalPodAutoscalerList');
    expect(Object.fromEntries(list.items.map((i: any) => [i.metadata.name, [i.apiVersion, i.spec.targetCPUUtilizationPercentage, 'metrics' in i.spec]])))
      .toEqual({ web: ['autoscaling/v1', 60, false], bare: ['autoscaling/v1', 80, false], api: ['autoscaling/v1', 55, false] });
  });
});
