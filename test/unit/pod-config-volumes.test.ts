import { createServer, type Server } from 'node:net';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostPathType, etcHostsMount, expandSubPathExpr, hostsFileContent, terminationMessageMount, mountsFor, provisionSubPath, VolumeManager, VolumeSetUpError, writeAtomic,
  type FileProjection, type VolumeLookup,
} from '../../src/kubelet/pod-config/index.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'k8ts-podcfg-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('hostPath type checks', () => {
  let sock: Server;
  let sockPath: string;
  beforeAll(async () => {
    await mkdir(join(tmp, 'hp/dir'), { recursive: true });
    await writeFile(join(tmp, 'hp/file'), 'x');
    sockPath = join(tmp, 'hp/sock');
    sock = createServer();
    await new Promise<void>((r) => sock.listen(sockPath, r));
  });
  afterAll(() => new Promise<void>((r) => sock.close(() => r())));

  const p = (n: string) => join(tmp, 'hp', n);
  it.each([
    ['', 'missing', undefined],
    ['Directory', 'dir', undefined],
    ['Directory', 'file', 'is not a directory'],
    ['Directory', 'missing', 'is not a directory'],
    ['File', 'file', undefined],
    ['File', 'dir', 'is not a file'],
    ['Socket', 'sock', undefined],
    ['Socket', 'file', 'is not a socket file'],
    ['CharDevice', 'file', 'is not a character device'],
    ['BlockDevice', 'file', 'is not a block device'],
    ['FileOrCreate', 'dir', 'is not a file'],
    ['DirectoryOrCreate', 'file', 'is not a directory'],
  ])('%s on %s', async (type, name, want) => {
    const err = await checkHostPathType(p(name), type);
    if (want === undefined) expect(err).toBeUndefined();
    else expect(err).toBe(`hostPath type check failed: ${p(name)} ${want}`);
  });

  it('CharDevice accepts /dev/null', async () => {
    expect(await checkHostPathType('/dev/null', 'CharDevice')).toBeUndefined();
  });

  it('the OrCreate types create what is missing', async () => {
    expect(await checkHostPathType(p('new-dir/a/b'), 'DirectoryOrCreate')).toBeUndefined();
    expect((await stat(p('new-dir/a/b'))).isDirectory()).toBe(true);
    expect(await checkHostPathType(p('new-file'), 'FileOrCreate')).toBeUndefined();
    expect((await stat(p('new-file'))).isFile()).toBe(true);
  });

  it('an unknown type is refused', async () => {
    expect(await checkHostPathType(p('dir'), 'Weird')).toBe('Weird is an invalid volume type');
  });
});

const fp = (s: string, mode = 0o644): FileProjection => ({ data: Buffer.from(s), mode });

describe('atomic writer', () => {
  it('writes through ..data, swaps on update and removes keys no longer present', async () => {
    const dir = join(tmp, 'aw');
    expect(await writeAtomic(dir, new Map([['a', fp('1')], ['b', fp('2', 0o600)], ['sub/c', fp('3')]]))).toBe(true);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('1');
    expect(await readFile(join(dir, 'sub/c'), 'utf8')).toBe('3');
    expect(await readlink(join(dir, 'a'))).toBe('..data/a');
    const first = await readlink(join(dir, '..data'));
    expect(first).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    expect((await stat(join(dir, 'b'))).mode & 0o777).toBe(0o600);

    expect(await writeAtomic(dir, new Map([['a', fp('1')], ['b', fp('2', 0o600)], ['sub/c', fp('3')]]))).toBe(false);
    expect(await readlink(join(dir, '..data'))).toBe(first);

    expect(await writeAtomic(dir, new Map([['a', fp('changed')], ['d', fp('4')]]))).toBe(true);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('changed');
    expect(await readFile(join(dir, 'd'), 'utf8')).toBe('4');
    const names = (await readdir(dir)).sort();
    expect(names.filter((n) => !n.startsWith('..'))).toEqual(['a', 'd']);
    expect(names.filter((n) => n.startsWith('..2'))).toHaveLength(1);
    expect(await readlink(join(dir, '..data'))).not.toBe(first);
  });

  it('a changed mode alone is an update', async () => {
    const dir = join(tmp, 'aw-mode');
    await writeAtomic(dir, new Map([['k', fp('v', 0o644)]]));
    expect(await writeAtomic(dir, new Map([['k', fp('v', 0o400)]]))).toBe(true);
    expect((await stat(join(dir, 'k'))).mode & 0o777).toBe(0o400);
  });

  it('with a group owner, an unchanged payload is no update', async () => {
    const dir = join(tmp, 'aw-gid');
    expect(await writeAtomic(dir, new Map([['k', fp('v', 0o400)]]), { gid: 4321 })).toBe(true);
    expect((await stat(join(dir, 'k'))).mode & 0o777).toBe(0o440);
    expect((await stat(join(dir, 'k'))).gid).toBe(4321);
    expect(await writeAtomic(dir, new Map([['k', fp('v', 0o400)]]), { gid: 4321 })).toBe(false);
    expect(await writeAtomic(dir, new Map([['k', fp('v', 0o400)]]), { gid: 99 })).toBe(true);
  });

  it.each(['../x', 'a/../../x', '/abs', '..hidden'])('refuses path %s', async (p) => {
    await expect(writeAtomic(join(tmp, 'aw-bad'), new Map([[p, fp('x')]]))).rejects.toThrow(/invalid path/);
  });
});

describe('subPath', () => {
  it('creates the sub directory inside the volume', async () => {
    const vol = join(tmp, 'sp-vol');
    await mkdir(vol);
    const host = await provisionSubPath(vol, 'a/b');
    expect(host).toBe(join(vol, 'a/b'));
    expect((await stat(host)).isDirectory()).toBe(true);
  });

  it.each([
    ['../escape', "must not contain '..'"],
    ['a/../../escape', "must not contain '..'"],
    ['/etc', 'must not be an absolute path'],
  ])('refuses %s', async (sub, msg) => {
    await expect(provisionSubPath(join(tmp, 'sp-vol'), sub)).rejects.toThrow(msg);
  });

  it('refuses a symlink leading out of the volume', async () => {
    const vol = join(tmp, 'sp-vol2');
    await mkdir(vol);
    await mkdir(join(tmp, 'outside'));
    await symlink(join(tmp, 'outside'), join(vol, 'link'));
    await expect(provisionSubPath(vol, 'link/x')).rejects.toThrow(/not within volume path/);
    await expect(lstat(join(tmp, 'outside/x'))).rejects.toThrow();
  });

  it('expands subPathExpr and names missing variables', () => {
    const envs = [{ key: 'POD', value: 'p1' }, { key: 'EMPTY', value: '' }];
    expect(expandSubPathExpr('logs/$(POD)', envs)).toEqual({ path: 'logs/p1' });
    expect(expandSubPathExpr('$(EMPTY)/$(NOPE)', envs)).toEqual({ error: 'missing value for EMPTY, NOPE' });
  });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('VolumeManager', () => {
  const objects: Record<string, any> = {
    'cm/ns/cfg': { data: { 'app.conf': 'x=1', other: 'o' }, binaryData: { bin: b64('\x00\x01') } },
    'secret/ns/sec': { data: { password: b64('hunter2') } },
  };
  let tokenCalls = 0;
  let tokenApi = true;
  const lookup: VolumeLookup = {
    getConfigMap: async (ns, n) => objects[`cm/${ns}/${n}`],
    getSecret: async (ns, n) => objects[`secret/${ns}/${n}`],
    requestServiceAccountToken: async (_ns, sa, spec) => {
      if (!tokenApi) return undefined;
      tokenCalls++;
      return { token: `tok-${sa}-${spec.audiences.join(',')}-${tokenCalls}`, expirationTimestamp: new Date(clock + spec.expirationSeconds * 1000).toISOString() };
    },
  };
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const logs: string[] = [];
  let mgr: VolumeManager;
  let dataDir: string;
  const pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid-1', labels: { app: 'web' } },
    spec: {
      serviceAccountName: 'robot',
      containers: [{
        name: 'c',
        volumeMounts: [
          { name: 'scratch', mountPath: '/scratch' },
          { name: 'cfg', mountPath: '/etc/app' },
          { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
          { name: 'scratch', mountPath: '/logs', subPathExpr: '$(POD_NAME)', readOnly: true },
        ],
      }],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'picked', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app', mode: 0o600 }], defaultMode: 0o640 } },
        { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
        { name: 'opt', secret: { secretName: 'absent', optional: true } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        {
          name: 'proj', projected: {
            sources: [
              { configMap: { name: 'cfg', items: [{ key: 'other', path: 'other' }] } },
              { secret: { name: 'sec' } },
              { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
              { serviceAccountToken: { path: 'token', audience: 'api', expirationSeconds: 1000 } },
            ],
          },
        },
      ],
    },
  };

  beforeAll(async () => {
    dataDir = join(tmp, 'data');
    mgr = new VolumeManager({ dataDir, lookup, log: (m) => logs.push(m), now: () => clock, memoryBackedSecrets: true });
  });

  it('sets every volume up under D/agent/pods/<uid>/volumes/<plugin>/<name>', async () => {
    const vols = await mgr.setUp(pod);
    const base = join(dataDir, 'agent/pods/pod-uid-1/volumes');
    expect(vols.get('scratch')).toEqual({ hostPath: join(base, 'kubernetes.io~empty-dir/scratch'), kind: 'emptyDir', plugin: 'kubernetes.io~empty-dir' });
    expect(vols.get('cfg')).toMatchObject({ hostPath: join(base, 'kubernetes.io~configmap/cfg'), readOnly: true });
    const cfg = vols.get('cfg')!.hostPath;
    expect(await readFile(join(cfg, 'app.conf'), 'utf8')).toBe('x=1');
    expect(await readFile(join(cfg, 'bin'))).toEqual(Buffer.from([0, 1]));
    expect((await stat(join(cfg, 'other'))).mode & 0o777).toBe(0o644);
    const picked = vols.get('picked')!.hostPath;
    expect(await readdir(picked).then((n) => n.filter((x) => !x.startsWith('..')))).toEqual(['conf']);
    expect((await stat(join(picked, 'conf/app'))).mode & 0o777).toBe(0o600);
    const sec = vols.get('sec')!.hostPath;
    expect(await readFile(join(sec, 'password'), 'utf8')).toBe('hunter2');
    expect((await stat(join(sec, 'password'))).mode & 0o777).toBe(0o400);
    const fsType = async (dir: string) => (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === dir)?.split(' - ')[1]?.split(' ')[0];
    expect(await fsType(sec)).toBe('tmpfs');
    expect(await fsType(vols.get('proj')!.hostPath)).toBe('tmpfs');
    expect(await fsType(vols.get('cfg')!.hostPath)).toBeUndefined();
    expect((await readdir(vols.get('opt')!.hostPath)).filter((x) => !x.startsWith('..'))).toEqual([]);
    const info = vols.get('info')!.hostPath;
    expect(await readFile(join(info, 'labels'), 'utf8')).toBe('app="web"');
    const proj = vols.get('proj')!.hostPath;
    expect((await readdir(proj)).filter((x) => !x.startsWith('..')).sort()).toEqual(['ns', 'other', 'password', 'token']);
    expect(await readFile(join(proj, 'token'), 'utf8')).toBe('tok-robot-api-1');
  });

  it('turns volumeMounts into CRI mounts (read-only config volumes, subPath, subPathExpr)', async () => {
    const vols = await mgr.setUp(pod);
    const mounts = await mgr.mountsFor(pod, pod.spec.containers[0], vols, [{ key: 'POD_NAME', value: 'p' }]);
    const base = join(dataDir, 'agent/pods/pod-uid-1/volumes');
    expect(mounts.map((m) => [m.containerPath, m.hostPath.replace(base, 'V').replace(/\.\.2[^/]*/, 'TS'), m.readonly, m.propagation])).toEqual([
      ['/scratch', 'V/kubernetes.io~empty-dir/scratch', false, 'PROPAGATION_PRIVATE'],
      ['/etc/app', 'V/kubernetes.io~configmap/cfg', true, 'PROPAGATION_PRIVATE'],
      ['/etc/app.conf', 'V/kubernetes.io~configmap/cfg/TS/app.conf', true, 'PROPAGATION_PRIVATE'],
      ['/logs', 'V/kubernetes.io~empty-dir/scratch/p', true, 'PROPAGATION_PRIVATE'],
    ]);
    await expect(mgr.mountsFor(pod, { name: 'x', volumeMounts: [{ name: 'nope', mountPath: '/n' }] }, vols))
      .rejects.toThrow('cannot find volume "nope" to mount into container "x"');
    await expect(mgr.mountsFor(pod, { name: 'x', volumeMounts: [{ name: 'scratch', mountPath: '/n', mountPropagation: 'Bidirectional' }] }, vols))
      .rejects.toThrow('Bidirectional mount propagation is available only to privileged containers');
  });

  it('refresh rewrites API-backed volumes in place and renews tokens after 80% of their lifetime', async () => {
    const vols = await mgr.setUp(pod);
    const cfg = vols.get('cfg')!.hostPath;
    const proj = vols.get('proj')!.hostPath;
    objects['cm/ns/cfg'] = { data: { 'app.conf': 'x=2', other: 'o' } };
    const calls = tokenCalls;
    clock += 700 * 1000;
    await mgr.refresh(pod);
    expect(await readFile(join(cfg, 'app.conf'), 'utf8')).toBe('x=2');
    await expect(lstat(join(cfg, 'bin'))).rejects.toThrow();
    expect(tokenCalls).toBe(calls);
    clock += 150 * 1000;
    await mgr.refresh(pod);
    expect(tokenCalls).toBe(calls + 1);
    expect(await readFile(join(proj, 'token'), 'utf8')).toBe(`tok-robot-api-${calls + 1}`);
    objects['cm/ns/cfg'] = { data: { 'app.conf': 'x=2' } };
    const err = await mgr.refresh(pod).catch((e) => e);
    expect(err.message).toBe('MountVolume.SetUp failed for volume "proj" : configmap references non-existent config key: other');
    expect(await readFile(join(proj, 'other'), 'utf8')).toBe('o');
    objects['cm/ns/cfg'] = { data: { 'app.conf': 'x=2', other: 'o' } };
  });

  it('reports each failing volume with the kubelet wording', async () => {
    const bad = {
      metadata: { name: 'b', namespace: 'ns', uid: 'pod-uid-2' },
      spec: {
        containers: [],
        volumes: [
          { name: 'gone', configMap: { name: 'missing' } },
          { name: 'nokey', secret: { secretName: 'sec', items: [{ key: 'user', path: 'u' }] } },
          { name: 'weird', gitRepo: { repository: 'x' } },
          { name: 'hp', hostPath: { path: join(tmp, 'no-such-dir'), type: 'Directory' } },
        ],
      },
    };
    const err = await mgr.setUp(bad).catch((e) => e);
    expect(err).toBeInstanceOf(VolumeSetUpError);
    expect((err as VolumeSetUpError).failures.map((f) => f.message)).toEqual([
      'MountVolume.SetUp failed for volume "gone" : configmap "missing" not found',
      'MountVolume.SetUp failed for volume "nokey" : references non-existent secret key: user',
      'MountVolume.SetUp failed for volume "weird" : volume type gitRepo is not supported by this node',
      `MountVolume.SetUp failed for volume "hp" : hostPath type check failed: ${join(tmp, 'no-such-dir')} is not a directory`,
    ]);
    await mgr.tearDown('pod-uid-2');
  });

  it('leaves the token out, and logs once, when the API has no TokenRequest', async () => {
    tokenApi = false;
    const p2 = { ...pod, metadata: { ...pod.metadata, uid: 'pod-uid-3' } };
    const vols = await mgr.setUp(p2);
    await mgr.refresh(p2);
    expect((await readdir(vols.get('proj')!.hostPath)).filter((x) => !x.startsWith('..')).sort()).toEqual(['ns', 'other', 'password']);
    expect(logs.filter((l) => l.includes('TokenRequest'))).toHaveLength(1);
    await mgr.tearDown('pod-uid-3');
    tokenApi = true;
  });

  it('fsGroup gives the group ownership of emptyDir and config volumes', async () => {
    const p4 = {
      metadata: { name: 'g', namespace: 'ns', uid: 'pod-uid-4' },
      spec: { securityContext: { fsGroup: 4321 }, containers: [], volumes: [{ name: 'e', emptyDir: {} }, { name: 's', secret: { secretName: 'sec', defaultMode: 0o400 } }] },
    };
    const vols = await mgr.setUp(p4);
    const e = await stat(vols.get('e')!.hostPath);
    expect(e.gid).toBe(4321);
    expect(e.mode & 0o2000).toBe(0o2000);
    const s = await stat(join(vols.get('s')!.hostPath, 'password'));
    expect(s.gid).toBe(4321);
    expect(s.mode & 0o777).toBe(0o440);
    await mgr.tearDown('pod-uid-4');
  });

  it('memory-backed emptyDir is a tmpfs of sizeLimit, unmounted at tear-down', async () => {
    const p5 = {
      metadata: { name: 'm', namespace: 'ns', uid: 'pod-uid-5' },
      spec: { containers: [], volumes: [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }] },
    };
    const vols = await mgr.setUp(p5);
    const dir = vols.get('mem')!.hostPath;
    await mgr.setUp(p5);
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.split(' ')[4] === dir);
    expect(mounts).toHaveLength(1);
    expect(mounts[0]).toMatch(/ - tmpfs tmpfs .*size=8192k/);
    await mgr.tearDown('pod-uid-5');
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(dir)).toBe(false);
    await expect(lstat(join(dataDir, 'agent/pods/pod-uid-5'))).rejects.toThrow();
  });

  it('tearDown removes the pod directory; tearDownAll every pod and its mounts', async () => {
    await mgr.tearDown('pod-uid-1');
    await expect(lstat(join(dataDir, 'agent/pods/pod-uid-1'))).rejects.toThrow();
    expect(await mgr.knownPods()).toEqual([]);
    await mgr.setUp({ ...pod, metadata: { ...pod.metadata, uid: 'pod-uid-6' } });
    await mgr.setUp({ ...pod, metadata: { ...pod.metadata, uid: 'pod-uid-7' } });
    expect((await mgr.knownPods()).sort()).toEqual(['pod-uid-6', 'pod-uid-7']);
    await mgr.tearDownAll();
    expect(await mgr.knownPods()).toEqual([]);
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(dataDir)).toBe(false);
  });

  it('keeps secret volumes on disk unless asked for memory-backed ones', async () => {
    const plain = new VolumeManager({ dataDir: join(tmp, 'data-plain'), lookup });
    const vols = await plain.setUp({ metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid-8' }, spec: { volumes: [{ name: 's', secret: { secretName: 'sec' } }] } });
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(vols.get('s')!.hostPath)).toBe(false);
    await plain.tearDown('pod-uid-8');
  });
});

describe('mountsFor on its own', () => {
  it('a readOnly volumeMount of a writable volume is read-only', async () => {
    const vols = new Map([['v', { hostPath: tmp, kind: 'hostPath', plugin: 'kubernetes.io~host-path' }]]);
    const m = await mountsFor({}, { name: 'c', volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true, mountPropagation: 'HostToContainer' }] }, vols);
    expect(m).toEqual([{ containerPath: '/v', hostPath: tmp, readonly: true, selinuxRelabel: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' }]);
  });
});

describe('kubelet-managed files', () => {
  const pod = {
    metadata: { name: 'web-0', namespace: 'shop' },
    spec: { hostname: 'web-0', subdomain: 'web', hostAliases: [{ ip: '10.1.2.3', hostnames: ['db', 'db.local'] }] },
  };

  it('writes the managed /etc/hosts with the pod IPs under its FQDN and the host aliases', () => {
    expect(hostsFileContent(pod, ['10.42.0.7'])).toBe(
      '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
      + 'fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n'
      + '10.42.0.7\tweb-0.web.shop.svc.cluster.local\tweb-0\n'
      + '\n# Entries added by HostAliases.\n10.1.2.3\tdb\tdb.local\n',
    );
    expect(hostsFileContent({ metadata: { name: 'p' }, spec: {} }, ['10.42.0.8'])).toMatch(/\n10\.42\.0\.8\tp\n$/);
    expect(hostsFileContent({ metadata: { name: 'h' }, spec: { hostNetwork: true } }, ['127.0.0.1'], { nodeHostsFile: '127.0.0.1 me\n' }))
      .toBe('# Kubernetes-managed hosts file (host network).\n127.0.0.1 me\n');
  });

  it('mounts /etc/hosts only with a pod IP and when the container does not mount its own', async () => {
    const dir = join(tmp, 'etc-files');
    const m = await etcHostsMount(dir, pod, { name: 'c' }, ['10.42.0.7']);
    expect(m).toMatchObject({ containerPath: '/etc/hosts', hostPath: join(dir, 'etc-hosts'), readonly: false });
    expect(await readFile(join(dir, 'etc-hosts'), 'utf8')).toContain('10.42.0.7\tweb-0.web.shop.svc.cluster.local\tweb-0\n');
    expect(await etcHostsMount(dir, pod, { name: 'c' }, [])).toBeUndefined();
    expect(await etcHostsMount(dir, pod, { name: 'c', volumeMounts: [{ name: 'v', mountPath: '/etc/hosts' }] }, ['10.42.0.7'])).toBeUndefined();
  });

  it('gives each container instance its own empty, writable termination-message file', async () => {
    const dir = join(tmp, 'etc-files');
    const a = (await terminationMessageMount(dir, { name: 'c' }))!;
    const b = (await terminationMessageMount(dir, { name: 'c', terminationMessagePath: '/tmp/msg' }))!;
    expect(a.containerPath).toBe('/dev/termination-log');
    expect(b.containerPath).toBe('/tmp/msg');
    expect(a.hostPath).not.toBe(b.hostPath);
    expect(a.hostPath).toMatch(/\/containers\/c\/[0-9a-f]{8}$/);
    expect((await stat(a.hostPath)).mode & 0o777).toBe(0o666);
    expect((await stat(a.hostPath)).size).toBe(0);
  });
});
