/**
 * kubectl label, annotate and get (output formats, selectors, sorting, all namespaces, watches,
 * chunked lists) against a k8ts server.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_DIR, startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** NAME column of a table. */
const names = (stdout: string): string[] =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0]!);

beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
  await ok(['create', 'namespace', 'other']);
  // Five ConfigMaps with labels for the selector tests, created in a known order.
  const items = [
    ['cm-a', { env: 'prod', tier: 'web' }, '3'],
    ['cm-b', { env: 'staging', tier: 'db' }, '1'],
    ['cm-c', { env: 'dev', legacy: 'true' }, '5'],
    ['cm-d', { env: 'prod' }, '2'],
    ['cm-e', {}, '4'],
  ] as const;
  for (const [name, labels, rank] of items) {
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { rank } }));
  }
  await ok(['create', 'configmap', 'elsewhere', '-n', 'other', '--from-literal=x=y']);
  await ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
});
afterAll(async () => {
  await t?.stop();
});

describe('kubectl label and annotate', () => {
  it('adds, refuses to overwrite, overwrites and removes labels', async () => {
    expect(await ok(['label', 'cm', 'cm-e', 'color=blue'])).toBe('configmap/cm-e labeled\n');
    const refused = await t.kubectl(['label', 'cm', 'cm-e', 'color=red']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("error: 'color' already has a value (blue), and --overwrite is false\n");
    expect(await ok(['label', 'cm', 'cm-e', 'color=red', '--overwrite'])).toBe('configmap/cm-e labeled\n');
    expect(JSON.parse(await ok(['get', 'cm', 'cm-e', '-o', 'json'])).metadata.labels).toEqual({ color: 'red' });
    expect(await ok(['label', 'cm', 'cm-e', 'color-'])).toBe('configmap/cm-e unlabeled\n');
    expect(JSON.parse(await ok(['get', 'cm', 'cm-e', '-o', 'json'])).metadata.labels).toBeUndefined();
  });

  it('kubectl refuses an invalid label value itself', async () => {
    const r = await t.kubectl(['label', 'cm', 'cm-e', 'bad=-x-']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: invalid label value: "bad=-x-"/);
  });

  it('adds, overwrites and removes annotations', async () => {
    expect(await ok(['annotate', 'cm', 'cm-e', 'note=hello'])).toBe('configmap/cm-e annotated\n');
    const refused = await t.kubectl(['annotate', 'cm', 'cm-e', 'note=bye']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: --overwrite is false but found the following declared annotation\(s\): 'note' already has a value \(hello\)$/m);
    await ok(['annotate', 'cm', 'cm-e', 'note=bye', '--overwrite']);
    expect(JSON.parse(await ok(['get', 'cm', 'cm-e', '-o', 'json'])).metadata.annotations.note).toBe('bye');
    expect(await ok(['annotate', 'cm', 'cm-e', 'note-'])).toBe('configmap/cm-e annotated\n');
    expect(JSON.parse(await ok(['get', 'cm', 'cm-e', '-o', 'json'])).metadata.annotations.note).toBeUndefined();
    // The last annotation of an object made by create goes away with its map.
    await ok(['annotate', 'cm', 'elsewhere', '-n', 'other', 'only=one']);
    await ok(['annotate', 'cm', 'elsewhere', '-n', 'other', 'only-']);
    expect(JSON.parse(await ok(['get', 'cm', 'elsewhere', '-n', 'other', '-o', 'json'])).metadata.annotations).toBeUndefined();
  });

  it('labels several objects selected by -l', async () => {
    const out = await ok(['label', 'cm', '-l', 'env=prod', 'reviewed=yes']);
    expect(out.trim().split('\n').sort()).toEqual(['configmap/cm-a labeled', 'configmap/cm-d labeled']);
    expect(names(await ok(['get', 'cm', '-l', 'reviewed=yes']))).toEqual(['cm-a', 'cm-d']);
    await ok(['label', 'cm', '-l', 'reviewed', 'reviewed-']);
  });
});

describe('kubectl get output formats', () => {
  it('prints the default table', async () => {
    const out = await ok(['get', 'cm', 'cm-a', 'cm-b']);
    expect(out).toMatch(/^NAME\s+DATA\s+AGE\n/);
    expect(out).toMatch(/^cm-a\s+1\s+\d+s$/m);
    expect(names(out)).toEqual(['cm-a', 'cm-b']);
  });

  it('-o wide adds the priority-1 columns', async () => {
    const out = await ok(['get', 'deploy', 'web', '-o', 'wide']);
    expect(out).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
    expect(out).toMatch(/^web\s+0\/2\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.25\s+app=web$/m);
  });

  it('-o yaml of one object and of a list', async () => {
    const one = await ok(['get', 'cm', 'cm-a', '-o', 'yaml']);
    expect(one).toMatch(/^apiVersion: v1\ndata:\n  rank: "3"\nkind: ConfigMap\nmetadata:\n/);
    expect(one).toMatch(/^  uid: [0-9a-f-]{36}$/m);
    const list = await ok(['get', 'cm', '-l', 'env=prod', '-o', 'yaml']);
    expect(list).toMatch(/^apiVersion: v1\nitems:\n- apiVersion: v1\n/);
    expect(list).toMatch(/^kind: List$/m);
  });

  it('-o json', async () => {
    const obj = JSON.parse(await ok(['get', 'cm', 'cm-b', '-o', 'json']));
    expect(obj).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { rank: '1' }, metadata: { name: 'cm-b', namespace: 'default' } });
    const list = JSON.parse(await ok(['get', 'cm', '-o', 'json']));
    expect(list.kind).toBe('List');
    expect(list.items.map((i: any) => i.metadata.name)).toEqual(['cm-a', 'cm-b', 'cm-c', 'cm-d', 'cm-e']);
  });

  it('-o jsonpath', async () => {
    expect(await ok(['get', 'cm', 'cm-a', '-o', 'jsonpath={.data.rank}'])).toBe('3');
    expect(await ok(['get', 'cm', '-o', 'jsonpath={.items[*].metadata.name}'])).toBe('cm-a cm-b cm-c cm-d cm-e');
    expect(await ok(['get', 'cm', '-l', 'env', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.env}{"\\n"}{end}'])).toBe(
      'cm-a=prod\ncm-b=staging\ncm-c=dev\ncm-d=prod\n',
    );
    expect(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('nginx:1.25');
  });

  it('-o custom-columns', async () => {
    const out = await ok(['get', 'cm', '-o', 'custom-columns=NAME:.metadata.name,ENV:.metadata.labels.env,RANK:.data.rank']);
    expect(out.trim().split('\n').map((l) => l.trim().split(/\s+/))).toEqual([
      ['NAME', 'ENV', 'RANK'],
      ['cm-a', 'prod', '3'],
      ['cm-b', 'staging', '1'],
      ['cm-c', 'dev', '5'],
      ['cm-d', 'prod', '2'],
      ['cm-e', '<none>', '4'],
    ]);
  });

  it('-o name', async () => {
    expect(await ok(['get', 'cm', '-l', 'env=prod', '-o', 'name'])).toBe('configmap/cm-a\nconfigmap/cm-d\n');
  });

  it('--show-labels', async () => {
    const out = await ok(['get', 'cm', 'cm-a', 'cm-c', 'cm-e', '--show-labels']);
    expect(out).toMatch(/^NAME\s+DATA\s+AGE\s+LABELS\n/);
    expect(out).toMatch(/^cm-a\s.*\senv=prod,tier=web$/m);
    expect(out).toMatch(/^cm-c\s.*\senv=dev,legacy=true$/m);
    expect(out).toMatch(/^cm-e\s.*\s<none>$/m);
  });

  it('-A shows a NAMESPACE column across namespaces', async () => {
    const out = await ok(['get', 'cm', '-A']);
    expect(out).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE\n/);
    expect(out).toMatch(/^other\s+elsewhere\s+1\s/m);
    expect(out).toMatch(/^default\s+cm-a\s+1\s/m);
  });

  it('an empty result says so', async () => {
    const r = await t.kubectl(['get', 'cm', '-l', 'env=nowhere']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No resources found in default namespace.\n');
  });

  it('a missing object is NotFound', async () => {
    const r = await t.kubectl(['get', 'cm', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): configmaps "nope" not found\n');
  });

  it('several types at once', async () => {
    const out = await ok(['get', 'deploy,cm', '-l', 'app=web']);
    expect(out).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/web\s/);
  });
});

describe('kubectl get selectors and sorting', () => {
  it.each<[string, string[]]>([
    ['env in (prod,staging)', ['cm-a', 'cm-b', 'cm-d']],
    ['!legacy', ['cm-a', 'cm-b', 'cm-d', 'cm-e']],
    ['env,tier notin (db)', ['cm-a', 'cm-c', 'cm-d']],
    ['env=prod,tier=web', ['cm-a']],
    ['env!=prod', ['cm-b', 'cm-c', 'cm-e']],
    ['env notin (prod),env', ['cm-b', 'cm-c']],
  ])('-l %s', async (selector, want) => {
    expect(names(await ok(['get', 'cm', '-l', selector]))).toEqual(want);
  });

  it('an invalid selector is refused', async () => {
    const r = await t.kubectl(['get', 'cm', '-l', 'env in (prod']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unable to parse requirement|found '', expected: ',' or '\)'/);
  });

  it.each<[string, string[]]>([
    ['metadata.name=cm-b', ['cm-b']],
    ['metadata.name!=cm-b', ['cm-a', 'cm-c', 'cm-d', 'cm-e']],
    ['metadata.namespace=default,metadata.name=cm-c', ['cm-c']],
  ])('--field-selector %s', async (selector, want) => {
    expect(names(await ok(['get', 'cm', '--field-selector', selector]))).toEqual(want);
  });

  it('--field-selector with -A', async () => {
    expect(names(await ok(['get', 'cm', '-A', '--field-selector', 'metadata.namespace=other', '-o', 'custom-columns=NAME:.metadata.name']))).toEqual([
      'elsewhere',
    ]);
  });

  it('an unsupported field selector is a BadRequest', async () => {
    const r = await t.kubectl(['get', 'cm', '--field-selector', 'data.rank=1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error from server \(BadRequest\): .*field label not supported: data\.rank$/m);
  });

  it('--sort-by sorts on any field', async () => {
    expect(names(await ok(['get', 'cm', '--sort-by=.data.rank']))).toEqual(['cm-b', 'cm-d', 'cm-a', 'cm-e', 'cm-c']);
    expect(names(await ok(['get', 'cm', '--sort-by=.metadata.name']))).toEqual(['cm-a', 'cm-b', 'cm-c', 'cm-d', 'cm-e']);
  });
});

describe('kubectl get -w', () => {
  it('prints the list, then a row for each change', async () => {
    const child = spawn(join(KUBECTL_DIR, 'kubectl.1.32'), ['--kubeconfig', t.kubeconfig, 'get', 'cm', '-l', 'watched=yes', '-w', '--output-watch-events'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const seen = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (re.test(out)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', (d) => {
          out += d;
          check();
        });
        child.on('exit', () => reject(new Error(`kubectl exited; output so far:\n${out}`)));
        check();
      });
    try {
      await ok(['create', 'configmap', 'w1', '--from-literal=a=1']);
      await ok(['label', 'cm', 'w1', 'watched=yes']);
      // The initial list: the labelled object arrives as ADDED.
      await seen(/^ADDED\s+w1\s+1\s/m);
      await ok(['create', 'configmap', 'w2']);
      await ok(['label', 'cm', 'w2', 'watched=yes']);
      await seen(/^ADDED\s+w2\s+0\s/m);
      await ok(['patch', 'cm', 'w2', '--type=merge', '-p', '{"data":{"k":"v"}}']);
      await seen(/^MODIFIED\s+w2\s+1\s/m);
      await ok(['delete', 'cm', 'w2']);
      await seen(/^DELETED\s+w2\s+1\s/m);
    } finally {
      child.kill('SIGTERM');
    }
    expect(out).toMatch(/^EVENT\s+NAME\s+DATA\s+AGE$/m);
  });

  it('a plain watch prints table rows without headers after the first', async () => {
    const r = await t.kubectl(['get', 'cm', 'cm-a', '-w', '--request-timeout=2s']);
    // The watch ends when the request times out; what was printed is the initial row.
    expect(r.stdout).toMatch(/^NAME\s+DATA\s+AGE\ncm-a\s+1\s/);
  });
});

describe('kubectl get --chunk-size', () => {
  it('pages through a list with continue tokens and prints every object once', async () => {
    const all = names(await ok(['get', 'cm', '--chunk-size=0']));
    expect(all.length).toBeGreaterThan(4);
    const r = await t.kubectl(['get', 'cm', '--chunk-size=2', '-v=6']);
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(all);
    const requests = r.stderr.split('\n').filter((l) => /GET https:\/\/\S+\/api\/v1\/namespaces\/default\/configmaps\?/.test(l));
    expect(requests).toHaveLength(Math.ceil(all.length / 2));
    expect(requests[0]).toMatch(/\?limit=2 200 OK/);
    for (const req of requests.slice(1)) expect(req).toMatch(/\?continue=[^&\s]+&limit=2 200 OK/);
  });

  it('chunked -o json returns the same items as an unchunked list', async () => {
    const chunked = JSON.parse(await ok(['get', 'cm', '-A', '--chunk-size=1', '-o', 'json']));
    const whole = JSON.parse(await ok(['get', 'cm', '-A', '--chunk-size=0', '-o', 'json']));
    expect(chunked.items.map((i: any) => i.metadata.uid)).toEqual(whole.items.map((i: any) => i.metadata.uid));
  });
});
