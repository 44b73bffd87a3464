/**
 * bench/apply-micro: micro benchmarks of field management (src/machinery/apply) on a defaulted
 * ~2 KB Pod and a Deployment. Run: npx tsx bench/apply-micro.ts [iterations]
 *
 * APPLY_IMPL=/path/to/machinery/apply/index.ts measures another copy of the package (e.g. an
 * older commit checked out elsewhere) for before/after numbers; ONLY=text runs only the
 * benchmarks whose name contains text (for --cpu-prof).
 */
import { definitionFor } from '../src/api/schema.js';
import { strategyFor } from '../src/api/strategy/index.js';
import type * as ApplyPackage from '../src/machinery/apply/index.js';

const impl = process.env.APPLY_IMPL ?? '../src/machinery/apply/index.js';
const { apply, fieldsOf, trackUpdate } = (await import(impl)) as typeof ApplyPackage;

const podSchema = definitionFor({ group: '', version: 'v1', kind: 'Pod' })!;
const deploySchema = definitionFor({ group: 'apps', version: 'v1', kind: 'Deployment' })!;

function makePod(): Record<string, any> {
  const pod: Record<string, any> = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'default',
      uid: '8c1f7e0a-1111-2222-3333-444455556666',
      resourceVersion: '12',
      creationTimestamp: '2025-01-01T00:00:00Z',
      labels: { app: 'web', tier: 'frontend', version: 'v1' },
      annotations: { 'example.com/blob': 'x'.repeat(1024) },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.25',
          ports: [
            { containerPort: 80, name: 'http' },
            { containerPort: 443, name: 'https' },
          ],
          env: [
            { name: 'MODE', value: 'production' },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
        },
      ],
    },
  };
  strategyFor('', 'Pod').defaults?.(pod);
  return pod;
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'MODE', value: 'production' }],
            resources: { limits: { cpu: '500m' } },
          },
        ],
      },
    },
  },
};

const only = process.env.ONLY; // run only benchmarks whose name contains this (for profiling)

function bench(name: string, iterations: number, f: () => unknown): void {
  if (only && !name.includes(only)) return;
  for (let i = 0; i < Math.min(iterations, 500); i++) f(); // warm up
  const runs: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) f();
    runs.push(Number(process.hrtime.bigint() - t0) / 1000 / iterations);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / iterations);
  }
  runs.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  // On a busy machine wall time includes time spent descheduled; CPU time (all threads, so GC
  // included) is the steadier figure.
  const f1 = (x: number): string => x.toFixed(1).padStart(7);
  console.log(`${name.padEnd(44)} wall median ${f1(runs[2]!)} min ${f1(runs[0]!)} µs   cpu median ${f1(cpu[2]!)} µs`);
}

const n = Number(process.argv[2] ?? 2000);
const pod = makePod();
console.log(`pod JSON: ${JSON.stringify(pod).length} bytes`);

bench('JSON parse+stringify (reference)', n, () => JSON.parse(JSON.stringify(pod)));
bench('fieldsOf(pod).toFieldsV1()', n, () => fieldsOf(pod, podSchema).toFieldsV1());

const time = '2025-01-01T00:00:00Z';
const created = trackUpdate({
  live: undefined,
  updated: pod,
  manager: 'kubectl-create',
  apiVersion: 'v1',
  time,
  schema: podSchema,
  ignoredFields: [['status']],
});
bench('trackUpdate create', n, () =>
  trackUpdate({ live: undefined, updated: pod, manager: 'kubectl-create', apiVersion: 'v1', time, schema: podSchema, ignoredFields: [['status']] }),
);

const live = structuredClone(pod);
live.metadata.managedFields = created;
const updated = structuredClone(live);
updated.metadata.labels.version = 'v2';
bench('trackUpdate update (one label)', n, () =>
  trackUpdate({ live, updated, manager: 'kubectl-label', apiVersion: 'v1', time, schema: podSchema, ignoredFields: [['status']] }),
);

const first = apply({ live: undefined, applied: deployment, manager: 'first', apiVersion: 'apps/v1', force: false, schema: deploySchema, time });
const second = structuredClone(deployment);
second.spec.replicas = 5;
second.spec.template.spec.containers[0]!.image = 'nginx:1.26';
bench('apply Deployment (second manager, forced)', Math.max(1, n >> 1), () =>
  apply({ live: first.object, applied: second, manager: 'second', apiVersion: 'apps/v1', force: true, schema: deploySchema, time }),
);
const same = structuredClone(deployment);
bench('apply Deployment (second manager, no change)', Math.max(1, n >> 1), () =>
  apply({ live: first.object, applied: { ...same, metadata: { name: 'web', namespace: 'default' } }, manager: 'second', apiVersion: 'apps/v1', force: false, schema: deploySchema, time }),
);

if (process.env.CHECK) {
  // Print outputs so before/after runs can be diffed.
  console.log(JSON.stringify(fieldsOf(pod, podSchema).toFieldsV1()));
  console.log(JSON.stringify(created));
  console.log(JSON.stringify(trackUpdate({ live, updated, manager: 'kubectl-label', apiVersion: 'v1', time, schema: podSchema, ignoredFields: [['status']] })));
  console.log(JSON.stringify(apply({ live: first.object, applied: second, manager: 'second', apiVersion: 'apps/v1', force: true, schema: deploySchema, time })));
}
