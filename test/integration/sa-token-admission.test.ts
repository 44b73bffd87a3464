/**
 * ServiceAccount admission and the root CA publisher with the real kubectl: pods run as `default`
 * unless they say otherwise, get the projected kube-api-access volume and its mount, are refused
 * when their account does not exist, and every namespace holds the cluster CA in kube-root-ca.crt.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ disable: ['scheduler'] });
  await pollUntil(async () => (await t.kubectl(['get', 'serviceaccount', 'default'])).code === 0, 'default ServiceAccount');
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const pod = (name: string, extra = '', containerExtra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
${extra}  initContainers: [{name: init, image: k8ts.local/busybox:1.36${containerExtra}}]
  containers: [{name: main, image: k8ts.local/busybox:1.36${containerExtra}}, {name: side, image: k8ts.local/busybox:1.36}]
`;

describe('ServiceAccount admission', () => {
  it('runs a pod as default with a projected token volume mounted read-only in every container', async () => {
    await t.ok(['apply', '-f', '-'], pod('plain'));
    const p = JSON.parse(await t.ok(['get', 'pod', 'plain', '-o', 'json']));
    expect(p.spec.serviceAccountName).toBe('default');
    expect(p.spec.serviceAccount).toBe('default');
    const vols = p.spec.volumes.filter((v: any) => v.name.startsWith('kube-api-access-'));
    expect(vols).toHaveLength(1);
    expect(vols[0].name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(vols[0].projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...p.spec.initContainers, ...p.spec.containers]) {
      expect(c.volumeMounts).toContainEqual({ name: vols[0].name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
    }
  });

  it('refuses a pod whose ServiceAccount does not exist, with upstream\'s message', async () => {
    const r = await t.kubectl(['apply', '-f', '-'], { input: pod('orphan', '  serviceAccountName: nobody\n') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "orphan" is forbidden: error looking up service account default/nobody: serviceaccount "nobody" not found');
  });

  it('mounts nothing when automountServiceAccountToken is false on the pod or on the account', async () => {
    await t.ok(['apply', '-f', '-'], pod('nomount', '  automountServiceAccountToken: false\n'));
    const a = JSON.parse(await t.ok(['get', 'pod', 'nomount', '-o', 'json']));
    expect(a.spec.volumes ?? []).toEqual([]);
    expect(a.spec.containers[0].volumeMounts).toBeUndefined();

    await t.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet}\nautomountServiceAccountToken: false\n');
    await t.ok(['apply', '-f', '-'], pod('quietpod', '  serviceAccountName: quiet\n'));
    const b = JSON.parse(await t.ok(['get', 'pod', 'quietpod', '-o', 'json']));
    expect(b.spec.volumes ?? []).toEqual([]);
    // The pod's own setting wins over the account's.
    await t.ok(['apply', '-f', '-'], pod('loud', '  serviceAccountName: quiet\n  automountServiceAccountToken: true\n'));
    const c = JSON.parse(await t.ok(['get', 'pod', 'loud', '-o', 'json']));
    expect(c.spec.volumes.some((v: any) => v.name.startsWith('kube-api-access-'))).toBe(true);
  });

  it('leaves containers that already mount something at the token path alone', async () => {
    const own = pod('own', '  volumes: [{name: mine, emptyDir: {}}]\n', ', volumeMounts: [{name: mine, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]');
    await t.ok(['apply', '-f', '-'], own);
    const p = JSON.parse(await t.ok(['get', 'pod', 'own', '-o', 'json']));
    const main = p.spec.containers.find((c: any) => c.name === 'main');
    expect(main.volumeMounts).toEqual([{ name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    const side = p.spec.containers.find((c: any) => c.name === 'side');
    expect(side.volumeMounts[0].name).toMatch(/^kube-api-access-/);
  });
});

describe('root CA publisher', () => {
  it('puts the cluster CA in kube-root-ca.crt in every namespace, and restores it', async () => {
    const ca = await readFile(join(t.dataDir, 'pki', 'ca.crt'), 'utf8');
    await t.ok(['create', 'namespace', 'fresh']);
    await pollUntil(async () => (await t.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh'])).code === 0, 'kube-root-ca.crt in fresh');
    const cm = JSON.parse(await t.ok(['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'json']));
    expect(cm.data).toEqual({ 'ca.crt': ca });

    await t.ok(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'fresh']);
    await pollUntil(async () => (await t.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh'])).code === 0, 'kube-root-ca.crt re-created');
    await t.ok(['patch', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '--type=merge', '-p', '{"data":{"ca.crt":"tampered"}}']);
    const caIn = async (ns: string) => JSON.parse(await t.ok(['get', 'configmap', 'kube-root-ca.crt', '-n', ns, '-o', 'json'])).data?.['ca.crt'];
    await pollUntil(async () => (await caIn('fresh')) === ca, 'kube-root-ca.crt restored');
    expect(await caIn('kube-system')).toBe(ca);
  });
});
