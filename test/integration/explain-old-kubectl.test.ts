/**
 * kubectl 1.27 and 1.28 read `/openapi/v2` only, and only in gnostic protobuf: explain and apply
 * against k8ts with those versions.
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

describe('explain with kubectl 1.27 and 1.28', () => {
  it.each(['1.27', '1.28'])('kubectl %s explain deployment.spec.strategy lists its fields', async (version) => {
    const r = await t.kubectl(['explain', 'deployment.spec.strategy'], { version });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^KIND:\s+Deployment$/m);
    expect(r.stdout).toMatch(/^VERSION:\s+v1$/m);
    expect(r.stdout).toMatch(/^\s+rollingUpdate\s+<RollingUpdateDeployment>/m);
    expect(r.stdout).toMatch(/^\s+type\s+<string>/m);
  });

  it('kubectl 1.27 explain pods.spec.containers.ports shows the list item fields', async () => {
    const r = await t.kubectl(['explain', 'pods.spec.containers.ports'], { version: '1.27' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FIELD:\s+ports\s+<\[\]ContainerPort>/m);
    expect(r.stdout).toMatch(/^\s+containerPort\s+<integer> -required-/m);
    expect(r.stdout).toMatch(/^\s+protocol\s+<string>/m);
  });

  it('kubectl 1.27 explain of an unknown field says so', async () => {
    const r = await t.kubectl(['explain', 'deployment.spec.nosuchfield'], { version: '1.27' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('field "nosuchfield" does not exist');
  });
});

const deployment = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-old-kubectl
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: { app: web-old-kubectl }
  template:
    metadata:
      labels: { app: web-old-kubectl }
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
          name: http
`;

describe('apply with kubectl 1.27', () => {
  it('creates, leaves unchanged, then configures a Deployment, reading the protobuf /openapi/v2', async () => {
    const first = await t.kubectl(['apply', '-f', '-', '-v=6'], { version: '1.27', input: deployment('nginx:1.25') });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('deployment.apps/web-old-kubectl created\n');
    // kubectl fetched the v2 document and got it (a 406 would show here instead).
    expect(first.stderr).toMatch(/GET https:\/\/[^ ]+\/openapi\/v2(\?[^ ]*)? 200 OK/);

    const again = await t.kubectl(['apply', '-f', '-'], { version: '1.27', input: deployment('nginx:1.25') });
    expect(again).toMatchObject({ code: 0, stdout: 'deployment.apps/web-old-kubectl unchanged\n' });

    const changed = await t.kubectl(['apply', '-f', '-'], { version: '1.27', input: deployment('nginx:1.26') });
    expect(changed).toMatchObject({ code: 0, stdout: 'deployment.apps/web-old-kubectl configured\n' });

    const got = await t.kubectl(['get', 'deployment', 'web-old-kubectl', '-n', 'default', '-o', 'json'], { version: '1.27' });
    expect(got.code).toBe(0);
    const container = JSON.parse(got.stdout).spec.template.spec.containers[0];
    expect(container.image).toBe('nginx:1.26');
    expect(container.ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
  });
});
