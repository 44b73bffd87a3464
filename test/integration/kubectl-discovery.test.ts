/**
 * What the real kubectl (1.27, 1.32, 1.33 and the gcloud dispatcher) shows for version,
 * api-resources and explain against a k8ts server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
});
afterAll(async () => {
  await t?.stop();
});

const VERSIONS = ['1.27', '1.32', '1.33'];

/** api-resources rows as { name, shortnames, apiversion, namespaced, kind }. */
function resourceRows(stdout: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of stdout.trim().split('\n').slice(1)) {
    const cells = line.trim().split(/\s+/);
    rows.set(cells[0]!, cells);
  }
  return rows;
}

describe('kubectl version', () => {
  it.each(VERSIONS)('kubectl %s reports the server as v1.32', async (v) => {
    const r = await t.kubectl(['version', '-o', 'json'], { version: v });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.serverVersion).toMatchObject({ major: '1', minor: '32' });
    expect(info.serverVersion.gitVersion).toMatch(/^v1\.32\.\d+/);
    expect(info.clientVersion.minor).toBe(v.split('.')[1]);
  });

  it('kubectl 1.32 prints Server Version in its default output', async () => {
    const r = await t.kubectl(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Client Version: v1\.32\./m);
    expect(r.stdout).toMatch(/^Server Version: v1\.32\.\d+/m);
  });

  it('the gcloud dispatcher picks kubectl 1.32 from the reported minor version', async () => {
    const r = await t.kubectl(['version'], { version: 'dispatcher' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Client Version: v1\.32\./m);
    expect(r.stdout).toMatch(/^Server Version: v1\.32\.\d+/m);
    expect(r.stderr).not.toMatch(/version difference/);
  });
});

describe('kubectl api-resources', () => {
  it.each(VERSIONS)('kubectl %s lists short names, groups and scopes', async (v) => {
    const r = await t.kubectl(['api-resources'], { version: v });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND/);
    const rows = resourceRows(r.stdout);
    const want: [string, string, string, string, string][] = [
      ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
      ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet'],
      ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'],
      ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler'],
      ['persistentvolumeclaims', 'pvc', 'v1', 'true', 'PersistentVolumeClaim'],
      ['namespaces', 'ns', 'v1', 'false', 'Namespace'],
      ['nodes', 'no', 'v1', 'false', 'Node'],
      ['services', 'svc', 'v1', 'true', 'Service'],
      ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
      ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
      ['poddisruptionbudgets', 'pdb', 'policy/v1', 'true', 'PodDisruptionBudget'],
      ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', 'false', 'PriorityClass'],
    ];
    for (const row of want) expect(rows.get(row[0]), row[0]).toEqual(row);
    // No short names: the SHORTNAMES cell is blank, so the row has four cells.
    expect(rows.get('clusterroles')).toEqual(['clusterroles', 'rbac.authorization.k8s.io/v1', 'false', 'ClusterRole']);
  });

  it('--api-group=apps lists exactly the apps resources', async () => {
    const r = await t.kubectl(['api-resources', '--api-group=apps']);
    expect(r.code).toBe(0);
    const rows = resourceRows(r.stdout);
    expect([...rows.keys()].sort()).toEqual(['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']);
    expect(rows.get('daemonsets')).toEqual(['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet']);
    expect(rows.get('replicasets')).toEqual(['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet']);
  });

  it('-o name and --namespaced=false', async () => {
    const r = await t.kubectl(['api-resources', '--namespaced=false', '-o', 'name']);
    expect(r.code).toBe(0);
    const names = r.stdout.trim().split('\n');
    expect(names).toContain('namespaces');
    expect(names).toContain('nodes');
    expect(names).toContain('clusterroles.rbac.authorization.k8s.io');
    expect(names).not.toContain('pods');
  });
});

describe('kubectl explain', () => {
  it.each(VERSIONS)('kubectl %s explains deployment.spec.strategy', async (v) => {
    const r = await t.kubectl(['explain', 'deployment.spec.strategy'], { version: v });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/KIND:\s+Deployment/);
    expect(r.stdout).toMatch(/VERSION:\s+(apps\/)?v1/);
    expect(r.stdout).toMatch(/strategy\s+<DeploymentStrategy>/);
    expect(r.stdout).toMatch(/^\s+rollingUpdate\s+<RollingUpdateDeployment>/m);
    expect(r.stdout).toMatch(/^\s+type\s+<string>/m);
  });

  it.each(VERSIONS)('kubectl %s explains pods.spec.containers.ports', async (v) => {
    const r = await t.kubectl(['explain', 'pods.spec.containers.ports'], { version: v });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/KIND:\s+Pod/);
    expect(r.stdout).toMatch(/ports\s+<\[\]ContainerPort>/);
    expect(r.stdout).toMatch(/^\s+containerPort\s+<integer> -required-/m);
    expect(r.stdout).toMatch(/^\s+protocol\s+<string>/m);
  });

  it('an unknown field is reported', async () => {
    const r = await t.kubectl(['explain', 'deployment.spec.nonsense']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/field "nonsense" does not exist/);
  });
});
