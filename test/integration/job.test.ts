/**
 * Jobs and CronJobs driven with the real kubectl 1.32 against an in-process k8ts server. There is
 * no kubelet: test/helpers/fake-kubelet.ts finishes pods through the API. The first server runs
 * the registered controllers as `k8ts server` does; the second runs its own Job, TTL and CronJob
 * controllers with a short failure back-off and a CronJob clock one minute ahead, so back-off and
 * `* * * * *` schedules do not take minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InformerFactory, KubeClient, type KObject } from '../../src/client/index.js';
import { CronJobController } from '../../src/controllers/cronjob.js';
import { JobController, TTLAfterFinishedController } from '../../src/controllers/job/index.js';
import type { Controller } from '../../src/controllers/framework.js';
import { runPods } from '../helpers/fake-kubelet.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let a: TestServer;
let b: TestServer;
let clientA: KubeClient;
let clientB: KubeClient;
let informersB: InformerFactory;
const own: Controller[] = [];
const runs: Promise<void>[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([
    startTestServer({ disable: ['scheduler'] }),
    startTestServer({ disable: ['scheduler', 'job', 'cronjob', 'ttl-after-finished'] }),
  ]);
  clientA = await KubeClient.fromKubeconfig(a.kubeconfig);
  clientB = await KubeClient.fromKubeconfig(b.kubeconfig);
  informersB = new InformerFactory(clientB);
  const ctx = { client: clientB, informers: informersB, log: () => {} };
  own.push(
    new JobController(ctx, { backoffBaseMs: 20, backoffMaxMs: 100 }),
    new TTLAfterFinishedController(ctx),
    new CronJobController(ctx, { now: () => new Date(Date.now() + 61_000) }),
  );
  informersB.start();
  for (const c of own) runs.push(c.run());
  await Promise.all([a.server.controllers.synced, informersB.waitForSync()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(own.map((c) => c.stop()));
  await informersB?.stop();
  await Promise.all(runs);
  clientA?.close();
  clientB?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

async function ok(t: TestServer, args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input, timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, tries = 400): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const getJson = async (t: TestServer, ...args: string[]): Promise<KObject> => JSON.parse(await ok(t, ['get', ...args, '-o', 'json']));
const cond = (job: KObject, type: string): KObject | undefined => (job.status?.conditions ?? []).find((c: KObject) => c.type === type);
const podsOf = async (t: TestServer, ns: string, job: string): Promise<KObject[]> => (await getJson(t, '-n', ns, 'pods', '-l', `batch.kubernetes.io/job-name=${job}`)).items;

function jobManifest(name: string, ns: string, spec: KObject, podSpec: KObject = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }], ...podSpec } } },
  });
}

/** Finishes pods of a job until `done` holds. */
async function driveUntil(t: TestServer, client: KubeClient, ns: string, job: string, phase: 'Succeeded' | 'Failed', done: (j: KObject) => boolean, exitCode?: number): Promise<KObject> {
  return eventually(async () => {
    await runPods(client, ns, { labelSelector: `batch.kubernetes.io/job-name=${job}`, phase, exitCode }).catch(() => 0);
    const j = await getJson(t, '-n', ns, 'job', job);
    return done(j) ? j : undefined;
  }, `job ${job}`);
}

describe('Job controller as registered in k8ts server', () => {
  it('the seed Job runs a pod from its template and completes', async () => {
    await ok(a, ['create', 'ns', 'seed-demo']);
    await ok(a, ['apply', '-f', 'test/fixtures/seeds/08-batch.yaml']);
    const pods = await eventually(async () => {
      const p = await podsOf(a, 'seed-demo', 'pi');
      return p.length === 1 ? p : undefined;
    }, 'the pod of job pi');
    const job = await getJson(a, '-n', 'seed-demo', 'job', 'pi');
    const pod = pods[0]!;
    expect(pod.metadata.generateName).toBe('pi-');
    expect(pod.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(pod.metadata.labels).toMatchObject({
      'batch.kubernetes.io/controller-uid': job.metadata.uid, 'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': job.metadata.uid, 'job-name': 'pi',
    });
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(job.status).toMatchObject({ active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(job.status.startTime).toBeTruthy();

    await runPods(clientA, 'seed-demo', { labelSelector: 'job-name=pi', phase: 'Succeeded' });
    await ok(a, ['-n', 'seed-demo', 'wait', '--for=condition=complete', 'job/pi', '--timeout=30s']);
    const done = await getJson(a, '-n', 'seed-demo', 'job', 'pi');
    expect(done.status).toMatchObject({ succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    // Zero counters are left out, as upstream's omitempty does.
    expect(done.status.failed).toBeUndefined();
    expect(done.status.active).toBeUndefined();
    expect(done.status.conditions.map((c: KObject) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached'],
    ]);
    expect(done.status.completionTime).toBeTruthy();
    expect(await ok(a, ['-n', 'seed-demo', 'get', 'job', 'pi', '--no-headers'])).toMatch(/^pi\s+Complete\s+1\/1\s/);
    const left = await podsOf(a, 'seed-demo', 'pi');
    expect(left.map((p) => p.metadata.finalizers ?? [])).toEqual([[]]);
    const events = await ok(a, ['-n', 'seed-demo', 'get', 'events', '--field-selector', 'involvedObject.kind=Job', '-o', 'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}']);
    expect(events).toContain(`SuccessfulCreate:Created pod: ${pod.metadata.name}`);
    expect(events).toContain('Completed:Job completed');
  }, 60_000);

  it('kubectl create job completes with COMPLETIONS 1/1', async () => {
    await ok(a, ['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi']);
    await eventually(async () => (await podsOf(a, 'default', 'hello')).length === 1, 'the pod');
    await runPods(clientA, 'default', { labelSelector: 'job-name=hello', phase: 'Succeeded' });
    await ok(a, ['wait', '--for=condition=complete', 'job/hello', '--timeout=30s']);
    expect(await ok(a, ['get', 'job', 'hello', '--no-headers'])).toMatch(/^hello\s+Complete\s+1\/1\s/);
  }, 60_000);

  it('a CronJob due now creates a Job; kubectl create job --from=cronjob works', async () => {
    // `@every` is robfig/cron syntax that upstream's cron.ParseStandard accepts.
    await ok(a, ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=@every 2s', '--', 'date']);
    const jobs = await eventually(async () => {
      const mine = ((await getJson(a, 'jobs')).items as KObject[]).filter((j) => j.metadata.ownerReferences?.[0]?.name === 'tick');
      return mine.length ? mine : undefined;
    }, 'a job of cronjob tick');
    const j = jobs[0]!;
    expect(j.metadata.name).toMatch(/^tick-\d+$/);
    const minutes = Number(j.metadata.name.slice('tick-'.length));
    const scheduled = j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'];
    expect(Math.floor(Date.parse(scheduled) / 60000)).toBe(minutes);
    expect(j.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    const cj = await eventually(async () => {
      const c = await getJson(a, 'cronjob', 'tick');
      return c.status?.active?.length ? c : undefined;
    }, 'status.active');
    expect(cj.status.lastScheduleTime).toBeTruthy();
    await ok(a, ['patch', 'cronjob', 'tick', '-p', '{"spec":{"suspend":true}}']);

    expect(await ok(a, ['create', 'job', 'manual', '--from=cronjob/tick'])).toBe('job.batch/manual created\n');
    const manual = await getJson(a, 'job', 'manual');
    expect(manual.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    await eventually(async () => (await podsOf(a, 'default', 'manual')).length === 1, 'the manual job pod');
    await runPods(clientA, 'default', { labelSelector: 'job-name=manual', phase: 'Succeeded' });
    await ok(a, ['wait', '--for=condition=complete', 'job/manual', '--timeout=30s']);
  }, 60_000);
});

describe('Job behaviour (own controllers, short back-off)', () => {
  it('completions 3 with parallelism 2 keeps at most 2 pods active', async () => {
    await ok(b, ['apply', '-f', '-'], jobManifest('par', 'default', { completions: 3, parallelism: 2 }));
    await eventually(async () => (await podsOf(b, 'default', 'par')).length === 2, 'two pods');
    await new Promise((r) => setTimeout(r, 200));
    expect((await podsOf(b, 'default', 'par')).length).toBe(2);
    const done = await driveUntil(b, clientB, 'default', 'par', 'Succeeded', (j) => cond(j, 'Complete')?.status === 'True');
    expect(done.status).toMatchObject({ succeeded: 3 });
    expect(done.status.active).toBeUndefined();
    expect((await podsOf(b, 'default', 'par')).length).toBe(3);
    expect(await ok(b, ['get', 'job', 'par', '--no-headers'])).toMatch(/^par\s+Complete\s+3\/3\s/);
  }, 60_000);

  it('Indexed jobs: one pod per index, completedIndexes as ranges', async () => {
    await ok(b, ['apply', '-f', '-'], jobManifest('idx', 'default', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const pods = await eventually(async () => {
      const p = await podsOf(b, 'default', 'idx');
      return p.length === 3 ? p : undefined;
    }, 'three pods');
    const byIndex = new Map(pods.map((p) => [p.metadata.annotations['batch.kubernetes.io/job-completion-index'], p]));
    expect([...byIndex.keys()].sort()).toEqual(['0', '1', '2']);
    for (const [ix, p] of byIndex) {
      expect(p.metadata.labels['batch.kubernetes.io/job-completion-index']).toBe(ix);
      expect(p.spec.hostname).toBe(`idx-${ix}`);
      expect(p.metadata.generateName).toBe(`idx-${ix}-`);
      expect(p.spec.containers[0].env).toContainEqual({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } });
    }
    await runPods(clientB, 'default', { labelSelector: 'job-name=idx,batch.kubernetes.io/job-completion-index in (0,2)', phase: 'Succeeded' });
    await eventually(async () => (await getJson(b, 'job', 'idx')).status?.completedIndexes === '0,2', 'completedIndexes 0,2');
    const done = await driveUntil(b, clientB, 'default', 'idx', 'Succeeded', (j) => cond(j, 'Complete')?.status === 'True');
    expect(done.status).toMatchObject({ completedIndexes: '0-2', succeeded: 3 });
  }, 60_000);

  it('failing pods past backoffLimit fail the Job with BackoffLimitExceeded', async () => {
    await ok(b, ['apply', '-f', '-'], jobManifest('flaky', 'default', { backoffLimit: 2 }));
    const job = await driveUntil(b, clientB, 'default', 'flaky', 'Failed', (j) => cond(j, 'Failed')?.status === 'True');
    expect(job.status.failed).toBe(3);
    expect(cond(job, 'FailureTarget')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(cond(job, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(job.status.completionTime).toBeUndefined();
    expect((await podsOf(b, 'default', 'flaky')).length).toBe(3);
    expect(await ok(b, ['get', 'job', 'flaky', '--no-headers'])).toMatch(/^flaky\s+Failed\s+0\/1\s/);
    const events = await ok(b, ['get', 'events', '--field-selector', 'involvedObject.name=flaky', '-o', 'jsonpath={range .items[*]}{.type}/{.reason}{"\\n"}{end}']);
    expect(events).toContain('Warning/BackoffLimitExceeded');
  }, 60_000);

  it('activeDeadlineSeconds fails the Job with DeadlineExceeded and removes its pods', async () => {
    await ok(b, ['apply', '-f', '-'], jobManifest('slow', 'default', { activeDeadlineSeconds: 3, parallelism: 2, completions: 4 }));
    await eventually(async () => (await podsOf(b, 'default', 'slow')).length === 2, 'two pods');
    const job = await eventually(async () => {
      const j = await getJson(b, 'job', 'slow');
      return cond(j, 'Failed')?.status === 'True' ? j : undefined;
    }, 'DeadlineExceeded');
    expect(cond(job, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(job.status).toMatchObject({ failed: 2, terminating: 0 });
    await eventually(async () => (await podsOf(b, 'default', 'slow')).length === 0, 'pods removed');
  }, 60_000);

  it('suspend deletes active pods and resume starts them again', async () => {
    await ok(b, ['apply', '-f', '-'], jobManifest('nap', 'default', { suspend: true, parallelism: 2, completions: 2 }));
    const s = await eventually(async () => {
      const j = await getJson(b, 'job', 'nap');
      return cond(j, 'Suspended')?.status === 'True' ? j : undefined;
    }, 'Suspended');
    expect(cond(s, 'Suspended')).toMatchObject({ reason: 'JobSuspended', message: 'Job suspended' });
    expect(s.status.startTime).toBeUndefined();
    expect(await podsOf(b, 'default', 'nap')).toEqual([]);
    await ok(b, ['patch', 'job', 'nap', '-p', '{"spec":{"suspend":false}}']);
    await eventually(async () => (await podsOf(b, 'default', 'nap')).length === 2, 'pods after resume');
    const r = await getJson(b, 'job', 'nap');
    expect(cond(r, 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed', message: 'Job resumed' });
    expect(r.status.startTime).toBeTruthy();
    await ok(b, ['patch', 'job', 'nap', '-p', '{"spec":{"suspend":true}}']);
    await eventually(async () => (await podsOf(b, 'default', 'nap')).length === 0, 'pods deleted on suspend');
    await eventually(async () => cond(await getJson(b, 'job', 'nap'), 'Suspended')?.status === 'True', 'Suspended again');
  }, 60_000);

  it('ttlSecondsAfterFinished removes a finished Job', async () => {
    await ok(b, ['apply', '-f', '-'], jobManifest('brief', 'default', { ttlSecondsAfterFinished: 1 }));
    // The TTL controller may remove the Job (it only removes finished ones) before a poll sees Complete.
    await eventually(async () => {
      await runPods(clientB, 'default', { labelSelector: 'batch.kubernetes.io/job-name=brief', phase: 'Succeeded' }).catch(() => 0);
      const r = await b.kubectl(['get', '-n', 'default', 'job', 'brief', '-o', 'json']);
      if (r.code !== 0) return r.stderr.includes('not found') ? true : undefined;
      return cond(JSON.parse(r.stdout), 'Complete')?.status === 'True' ? true : undefined;
    }, 'job brief complete (or already removed after it finished)');
    await ok(b, ['wait', '--for=delete', 'job/brief', '--timeout=30s']);
    expect((await b.kubectl(['get', 'job', 'brief'])).stderr).toContain('jobs.batch "brief" not found');
  }, 60_000);

  it('podFailurePolicy FailJob on an exit code fails the Job at once', async () => {
    await ok(b, ['apply', '-f', '-'], jobManifest('pfp', 'default', {
      backoffLimit: 6,
      podFailurePolicy: { rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      ] },
    }));
    const pod = await eventually(async () => (await podsOf(b, 'default', 'pfp'))[0], 'the pod');
    await runPods(clientB, 'default', { labelSelector: 'job-name=pfp', phase: 'Failed', exitCode: 42 });
    const job = await eventually(async () => {
      const j = await getJson(b, 'job', 'pfp');
      return cond(j, 'Failed')?.status === 'True' ? j : undefined;
    }, 'Failed');
    const msg = `Container main for pod default/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 1`;
    expect(cond(job, 'FailureTarget')).toMatchObject({ reason: 'PodFailurePolicy', message: msg });
    expect(cond(job, 'Failed')).toMatchObject({ reason: 'PodFailurePolicy', message: msg });
    expect(job.status.failed).toBe(1);
    expect((await podsOf(b, 'default', 'pfp')).length).toBe(1);
  }, 60_000);
});

describe('CronJob controller (clock a minute ahead)', () => {
  it("kubectl create cronjob --schedule='* * * * *' creates a Job for the minute", async () => {
    await ok(b, ['create', 'cronjob', 'every-minute', '--image=busybox', '--schedule=* * * * *', '--', 'date']);
    const job = await eventually(async () => ((await getJson(b, 'jobs')).items as KObject[]).find((j) => j.metadata.name.startsWith('every-minute-')), 'a job');
    const minutes = Number(job.metadata.name.slice('every-minute-'.length));
    expect(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(minutes * 60000).toISOString().replace('.000Z', 'Z'));
    const cj = await eventually(async () => {
      const c = await getJson(b, 'cronjob', 'every-minute');
      return c.status?.active?.length ? c : undefined;
    }, 'status.active');
    expect(cj.status.active[0]).toMatchObject({ kind: 'Job', name: job.metadata.name, apiVersion: 'batch/v1' });
    expect(cj.status.lastScheduleTime).toBe(new Date(minutes * 60000).toISOString().replace('.000Z', 'Z'));
    const events = await ok(b, ['get', 'events', '--field-selector', 'involvedObject.name=every-minute', '-o', 'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}']);
    expect(events).toContain(`SuccessfulCreate:Created job ${job.metadata.name}`);
    // Finishing the Job moves it out of status.active and sets lastSuccessfulTime.
    await eventually(async () => (await podsOf(b, 'default', job.metadata.name)).length === 1, 'the pod');
    await runPods(clientB, 'default', { labelSelector: `job-name=${job.metadata.name}`, phase: 'Succeeded' });
    const after = await eventually(async () => {
      const c = await getJson(b, 'cronjob', 'every-minute');
      return c.status?.lastSuccessfulTime ? c : undefined;
    }, 'lastSuccessfulTime');
    // (A Job for a later minute may already be active when the test crosses a minute boundary.)
    expect((after.status.active ?? []).map((a: KObject) => a.name)).not.toContain(job.metadata.name);
  }, 60_000);
});
