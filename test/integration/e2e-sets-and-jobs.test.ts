/**
 * Issue 3 "Done means", StatefulSets, DaemonSets, Jobs and CronJobs, end to end: the real kubectl
 * 1.32 against `k8ts server --runtime sim --sim-nodes 3` with the scheduler and every controller;
 * pods are placed by the scheduler (DaemonSet pods by node affinity) and run by the simulated
 * nodes. A fourth node joins through `k8ts sim add-node`. A `* * * * *` CronJob is created first
 * and checked last, so its wait for the next minute overlaps the other tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEEDS, eventually, rows, startE2E, watch, type E2E } from '../helpers/e2e.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NS = 'seed-demo';

let e: E2E;
let addNode: ChildProcess | undefined;
let cronCreated: Date;

beforeAll(async () => {
  e = await startE2E();
  await e.ok(['create', 'namespace', 'cron']);
  expect(await e.ok(['-n', 'cron', 'create', 'cronjob', 'every-minute', '--image=busybox', '--schedule=* * * * *', '--', 'sh', '-c', 'date']))
    .toBe('cronjob.batch/every-minute created\n');
  cronCreated = new Date();
}, 60_000);
afterAll(async () => {
  if (addNode && addNode.exitCode === null) {
    const gone = new Promise((r) => addNode!.once('exit', r));
    addNode.kill('SIGTERM');
    await gone;
  }
  await e?.t.stop();
});

const seed = (name: string): Promise<string> => e.ok(['apply', '-f', `${SEEDS}${name}.yaml`]);

/** Parses watch lines EVENT NAME READY DELETING into records. */
const parse = (lines: string[]): { ev: string; name: string; ready: string; deleting: boolean }[] =>
  lines.map((l) => l.split(/\s+/)).map(([ev, name, ready, del]) => ({ ev, name, ready, deleting: del !== '<none>' }));
const WATCH_COLUMNS = 'custom-columns=EVENT:.type,NAME:.object.metadata.name,READY:.object.status.conditions[?(@.type=="Ready")].status,DEL:.object.metadata.deletionTimestamp';

describe('StatefulSets', () => {
  it('the seed StatefulSet: pods appear in order, each after the previous one is Ready, with per-ordinal claims', async () => {
    await seed('01-namespace');
    const w = watch(e.t, ['-n', NS, 'get', 'pods', '-l', 'app=stateful', '-o', WATCH_COLUMNS]);
    expect(await seed('05-statefulset')).toBe('statefulset.apps/example-statefulset created\n');
    await e.ok(['-n', NS, 'rollout', 'status', 'sts/example-statefulset', '--timeout=60s']);
    expect(await e.ok(['-n', NS, 'scale', 'sts/example-statefulset', '--replicas=4'])).toBe('statefulset.apps/example-statefulset scaled\n');
    await e.ok(['-n', NS, 'rollout', 'status', 'sts/example-statefulset', '--timeout=60s']);
    await eventually(async () => rows(await e.ok(['-n', NS, 'get', 'pods', '-l', 'app=stateful', '--no-headers'])).filter((r) => r[1] === '1/1').length === 4, 'four ready pods');
    const events = parse(await w.stop());
    for (let i = 1; i < 4; i++) {
      const added = events.findIndex((x) => x.ev === 'ADDED' && x.name === `example-statefulset-${i}`);
      const prevReady = events.findIndex((x) => x.name === `example-statefulset-${i - 1}` && x.ready === 'True');
      expect(added, `pod ${i} created after pod ${i - 1} was Ready`).toBeGreaterThan(prevReady);
      expect(prevReady).toBeGreaterThanOrEqual(0);
    }
    const pods = rows(await e.ok(['-n', NS, 'get', 'pods', '-l', 'app=stateful', '-o', 'wide', '--no-headers']));
    expect(pods.map((r) => r[0])).toEqual([0, 1, 2, 3].map((i) => `example-statefulset-${i}`));
    expect(pods.every((r) => r[2] === 'Running' && /^sim-node-\d$/.test(r[6]))).toBe(true);
    const claims = await e.json('-n', NS, 'get', 'pvc', '-l', 'app=stateful');
    expect(claims.items.map((c: any) => c.metadata.name)).toEqual([0, 1, 2, 3].map((i) => `sc-storage-example-statefulset-${i}`));
  });

  it('scaling down removes pods from the highest ordinal, one at a time', async () => {
    const w = watch(e.t, ['-n', NS, 'get', 'pods', '-l', 'app=stateful', '-o', WATCH_COLUMNS]);
    await eventually(async () => w.lines().length >= 4, 'the watch listing the pods');
    await e.ok(['-n', NS, 'scale', 'sts/example-statefulset', '--replicas=1']);
    await eventually(async () => (await e.ok(['-n', NS, 'get', 'pods', '-l', 'app=stateful', '-o', 'name'])) === 'pod/example-statefulset-0\n', 'only pod 0 left');
    const events = parse(await w.stop());
    const deleted = events.filter((x) => x.ev === 'DELETED').map((x) => x.name);
    expect(deleted).toEqual(['example-statefulset-3', 'example-statefulset-2', 'example-statefulset-1']);
    for (let i = 3; i > 1; i--) {
      const gone = events.findIndex((x) => x.ev === 'DELETED' && x.name === `example-statefulset-${i}`);
      const nextTerminating = events.findIndex((x) => x.name === `example-statefulset-${i - 1}` && x.deleting);
      expect(nextTerminating, `pod ${i - 1} terminated only after pod ${i} was gone`).toBeGreaterThan(gone);
    }
    expect(await e.ok(['-n', NS, 'get', 'sts', 'example-statefulset', '--no-headers'])).toMatch(/^example-statefulset\s+1\/1\s/);
  });
});

describe('DaemonSets', () => {
  it('the seed DaemonSet runs one pod per node, and one more when a node joins (k8ts sim add-node)', async () => {
    expect(await seed('09-daemonset')).toBe('daemonset.apps/log-agent created\n');
    expect(await e.ok(['-n', NS, 'rollout', 'status', 'ds/log-agent', '--timeout=60s'])).toContain('daemon set "log-agent" successfully rolled out');
    expect((await e.nodesOf(NS, 'name=log-agent')).sort()).toEqual(['sim-node-1', 'sim-node-2', 'sim-node-3']);

    addNode = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli/run.ts'), 'sim', 'add-node', '--kubeconfig', e.t.kubeconfig, '--labels', 'pool=late'],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    addNode.stderr!.on('data', (d) => (stderr += d));
    // The node may show Ready a moment before the command reports it registered.
    await eventually(async () => stderr.includes('simulated node sim-node-4 registered')
      && /^sim-node-4\s+Ready\s/m.test(await e.ok(['get', 'nodes', '--no-headers'])), 'sim-node-4 registered and Ready');
    expect((await e.json('get', 'node', 'sim-node-4')).metadata.labels.pool).toBe('late');
    await eventually(async () => {
      const nodes = (await e.nodesOf(NS, 'name=log-agent')).sort();
      return nodes.join() === 'sim-node-1,sim-node-2,sim-node-3,sim-node-4';
    }, 'a log-agent pod on sim-node-4');
    await e.ok(['-n', NS, 'rollout', 'status', 'ds/log-agent', '--timeout=60s']);
    expect(rows(await e.ok(['-n', NS, 'get', 'ds', 'log-agent', '--no-headers']))[0].slice(0, 6)).toEqual(['log-agent', '4', '4', '4', '4', '4']);
  });
});

/** A Job whose container runs `command` (default `true`; null: the image's own, which the simulated nodes never end). */
const job = (name: string, o: { spec?: Record<string, unknown>; exit?: number; restartPolicy?: string; command?: string[] | null }): string => JSON.stringify({
  apiVersion: 'batch/v1', kind: 'Job',
  metadata: { name, namespace: NS },
  spec: {
    ...o.spec,
    template: {
      metadata: o.exit === undefined ? {} : { annotations: { 'sim.k8ts.io/exit-code': String(o.exit) } },
      spec: { restartPolicy: o.restartPolicy ?? 'Never', containers: [{ name: 'main', image: 'busybox', ...(o.command === null ? {} : { command: o.command ?? ['sh', '-c', 'true'] }) }] },
    },
  },
});

describe('Jobs and CronJobs', () => {
  it('the seed Job completes (kubectl wait --for=condition=complete); completions and parallelism are honoured', async () => {
    expect(await seed('08-batch')).toBe('job.batch/pi created\ncronjob.batch/hello created\n');
    expect(await e.ok(['-n', NS, 'wait', '--for=condition=complete', 'job/pi', '--timeout=60s'])).toBe('job.batch/pi condition met\n');
    expect(rows(await e.ok(['-n', NS, 'get', 'job', 'pi', '--no-headers']))[0].slice(0, 3)).toEqual(['pi', 'Complete', '1/1']);
    const pods = rows(await e.ok(['-n', NS, 'get', 'pods', '-l', 'job-name=pi', '-o', 'wide', '--no-headers']));
    expect(pods).toHaveLength(1);
    expect(pods[0].slice(1, 3)).toEqual(['0/1', 'Completed']);
    expect(pods[0][6]).toMatch(/^sim-node-\d$/);

    await e.ok(['apply', '-f', '-'], job('five', { spec: { completions: 5, parallelism: 2 } }));
    await e.ok(['-n', NS, 'wait', '--for=condition=complete', 'job/five', '--timeout=60s']);
    const five = await e.json('-n', NS, 'get', 'job', 'five');
    expect(five.status).toMatchObject({ succeeded: 5, ready: 0 });
    expect(five.status.failed).toBeUndefined();
    expect(rows(await e.ok(['-n', NS, 'get', 'pods', '-l', 'job-name=five', '--no-headers'])).map((r) => r[2])).toEqual(Array(5).fill('Completed'));

    await e.ok(['apply', '-f', '-'], job('indexed', { spec: { completions: 3, parallelism: 3, completionMode: 'Indexed' } }));
    await e.ok(['-n', NS, 'wait', '--for=condition=complete', 'job/indexed', '--timeout=60s']);
    expect((await e.json('-n', NS, 'get', 'job', 'indexed')).status.completedIndexes).toBe('0-2');
  });

  it('Jobs fail as their specs say: backoffLimit, podFailurePolicy, activeDeadlineSeconds', async () => {
    await e.ok(['apply', '-f', '-'], job('no-retries', { exit: 1, spec: { backoffLimit: 0 } }));
    await e.ok(['apply', '-f', '-'], job('policy', {
      exit: 42,
      spec: { backoffLimit: 6, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] } },
    }));
    // No command: the simulated container runs until the deadline stops it.
    await e.ok(['apply', '-f', '-'], job('deadline', { command: null, spec: { activeDeadlineSeconds: 2 } }));
    // OnFailure: the node restarts the container in place; each restart counts against backoffLimit.
    await e.ok(['apply', '-f', '-'], job('restarts', { exit: 1, restartPolicy: 'OnFailure', spec: { backoffLimit: 2 } }));
    await e.ok(['-n', NS, 'wait', '--for=condition=failed', 'job/no-retries', 'job/policy', 'job/restarts', '--timeout=60s']);
    const failed = async (name: string): Promise<any> => (await e.json('-n', NS, 'get', 'job', name)).status.conditions.find((c: any) => c.type === 'Failed');
    expect(await failed('no-retries')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(await failed('policy')).toMatchObject({ status: 'True', reason: 'PodFailurePolicy' });
    expect((await failed('policy')).message).toMatch(/^Container main for pod seed-demo\/policy-\S+ failed with exit code 42 matching FailJob rule at index 0$/);
    expect((await e.json('-n', NS, 'get', 'job', 'policy')).status.failed).toBe(1);
    expect(rows(await e.ok(['-n', NS, 'get', 'job', 'no-retries', '--no-headers']))[0].slice(0, 3)).toEqual(['no-retries', 'Failed', '0/1']);
    expect(rows(await e.ok(['-n', NS, 'get', 'pods', '-l', 'job-name=no-retries', '--no-headers'])).map((r) => r[2])).toEqual(['Error']);
    expect(await failed('restarts')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });

    await e.ok(['-n', NS, 'wait', '--for=condition=failed', 'job/deadline', '--timeout=60s']);
    expect(await failed('deadline')).toMatchObject({ status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    // The running pod is terminated and removed.
    await eventually(async () => (await e.ok(['-n', NS, 'get', 'pods', '-l', 'job-name=deadline', '-o', 'name'])) === '', 'deadline pod gone');
  });

  it('kubectl create job --from=cronjob runs the seed CronJob\'s template', async () => {
    expect(await e.ok(['-n', NS, 'create', 'job', 'hello-now', '--from=cronjob/hello'])).toBe('job.batch/hello-now created\n');
    await e.ok(['-n', NS, 'wait', '--for=condition=complete', 'job/hello-now', '--timeout=60s']);
    const j = await e.json('-n', NS, 'get', 'job', 'hello-now');
    expect(j.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(j.metadata.ownerReferences).toMatchObject([{ kind: 'CronJob', name: 'hello', controller: true }]);
  });

  it('a * * * * * CronJob creates a Job at the next minute, which completes', async () => {
    const j = await eventually(async () => {
      const list = await e.json('-n', 'cron', 'get', 'jobs');
      return list.items[0];
    }, 'a Job from the CronJob', 900);
    const scheduled = new Date(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    expect(scheduled.getUTCSeconds()).toBe(0);
    expect(scheduled.getTime()).toBeGreaterThan(cronCreated.getTime() - 60_000);
    expect(j.metadata.name).toBe(`every-minute-${Math.floor(scheduled.getTime() / 60_000)}`);
    expect(j.metadata.ownerReferences).toMatchObject([{ kind: 'CronJob', name: 'every-minute', controller: true, blockOwnerDeletion: true }]);
    await e.ok(['-n', 'cron', 'wait', '--for=condition=complete', `job/${j.metadata.name}`, '--timeout=60s']);
    await eventually(async () => (await e.json('-n', 'cron', 'get', 'cronjob', 'every-minute')).status.lastSuccessfulTime, 'lastSuccessfulTime');
    const cj = rows(await e.ok(['-n', 'cron', 'get', 'cronjob', 'every-minute', '--no-headers']))[0];
    expect(cj.slice(0, 7)).toEqual(['every-minute', '*', '*', '*', '*', '*', '<none>']);
    expect(cj[9]).not.toBe('<none>'); // LAST SCHEDULE
  }, 120_000);
});
