/**
 * The OCI image-layout archives k8ts builds from host binaries: layout files, digests that verify,
 * the layer's root filesystem (checked with GNU tar as well as our reader), determinism.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, BUSYBOX_IMAGE, MEDIA_CONFIG, MEDIA_LAYER_GZIP, MEDIA_MANIFEST, PAUSE_IMAGE,
  buildBusyboxImage, buildOciArchive, buildPauseImage, isDynamicElf, readTar, referenceTag, sha256, writeTar, type OciArchive, type TarEntry,
} from '../../src/kubelet/images/index.js';

function files(tar: Buffer): Map<string, TarEntry> {
  return new Map(readTar(tar).map((e) => [e.path, e]));
}

function fileData(m: Map<string, TarEntry>, path: string): Buffer {
  const e = m.get(path);
  if (!e || e.type !== 'file') throw new Error(`${path} is not a file in the archive`);
  return e.data;
}

interface Opened {
  index: { schemaVersion: number; manifests: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[] };
  manifest: { schemaVersion: number; mediaType: string; config: { mediaType: string; digest: string; size: number }; layers: { mediaType: string; digest: string; size: number }[] };
  config: { architecture: string; os: string; config: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; User?: string }; rootfs: { type: string; diff_ids: string[] } };
  layer: Map<string, TarEntry>;
  layerTar: Buffer;
}

/** Opens an archive, checking every digest and size on the way. */
function open(a: OciArchive): Opened {
  const outer = files(a.tar);
  expect(JSON.parse(fileData(outer, 'oci-layout').toString())).toEqual({ imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(fileData(outer, 'index.json').toString());
  expect(index.manifests).toHaveLength(1);
  const blob = (digest: string, size: number): Buffer => {
    const data = fileData(outer, `blobs/${digest.replace(':', '/')}`);
    expect(sha256(data)).toBe(digest);
    expect(data.length).toBe(size);
    return data;
  };
  const md = index.manifests[0];
  const manifest = JSON.parse(blob(md.digest, md.size).toString());
  const config = JSON.parse(blob(manifest.config.digest, manifest.config.size).toString());
  expect(manifest.layers).toHaveLength(1);
  const gz = blob(manifest.layers[0].digest, manifest.layers[0].size);
  const layerTar = gunzipSync(gz);
  expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [sha256(layerTar)] });
  return { index, manifest, config, layer: files(layerTar), layerTar };
}

describe('OCI archives', () => {
  const busybox = buildBusyboxImage();
  const pause = buildPauseImage();

  it('names the image for containerd and by OCI ref name, with verifiable digests', () => {
    for (const [a, name, tag] of [[busybox, BUSYBOX_IMAGE, '1.36'], [pause, PAUSE_IMAGE, '3.10']] as const) {
      const o = open(a);
      expect(o.index.schemaVersion).toBe(2);
      expect(o.index.manifests[0]!.mediaType).toBe(MEDIA_MANIFEST);
      expect(o.index.manifests[0]!.annotations).toEqual({ [ANNOTATION_CONTAINERD_NAME]: name, [ANNOTATION_REF_NAME]: tag });
      expect(o.index.manifests[0]!.digest).toBe(a.manifestDigest);
      expect(o.manifest.config.mediaType).toBe(MEDIA_CONFIG);
      expect(o.manifest.layers[0]!.mediaType).toBe(MEDIA_LAYER_GZIP);
      expect(o.config.os).toBe('linux');
      expect(o.config.architecture).toBe(process.arch === 'x64' ? 'amd64' : process.arch);
    }
  });

  it('pause image runs catatonit in pause mode', () => {
    const o = open(pause);
    expect(o.config.config.Entrypoint).toEqual(['/catatonit', '-P']);
    const bin = o.layer.get('catatonit');
    expect(bin?.type === 'file' && (bin.mode! & 0o111) !== 0).toBe(true);
  });

  it('busybox image has the applets as symlinks, users, /tmp and Cmd sh', () => {
    const o = open(busybox);
    expect(o.config.config.Cmd).toEqual(['sh']);
    expect(o.config.config.Env?.some((e) => e.startsWith('PATH=') && e.includes('/bin'))).toBe(true);
    const bb = o.layer.get('bin/busybox');
    expect(bb?.type).toBe('file');
    expect(bb?.type === 'file' && bb.mode).toBe(0o755);
    for (const applet of ['bin/sh', 'usr/sbin/httpd', 'usr/bin/nc', 'bin/tar', 'bin/sleep', 'bin/cat', 'usr/bin/wget']) {
      expect(o.layer.get(applet)).toEqual({ type: 'symlink', path: applet, target: '/bin/busybox' });
    }
    expect(fileData(o.layer, 'etc/passwd').toString()).toMatch(/^root:x:0:0:/m);
    expect(fileData(o.layer, 'etc/passwd').toString()).toMatch(/^nobody:x:65534:65534:/m);
    expect(fileData(o.layer, 'etc/group').toString()).toMatch(/^root:x:0:/m);
    expect(o.layer.get('tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    // Every entry's parent directory comes before it.
    const seen = new Set<string>();
    for (const e of readTar(o.layerTar)) {
      const parent = e.path.split('/').slice(0, -1).join('/');
      if (parent) expect(seen.has(parent), `${parent} before ${e.path}`).toBe(true);
      seen.add(e.path);
    }
  });

  it('GNU tar reads the archive and its layer the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-oci-'));
    try {
      writeFileSync(join(dir, 'image.tar'), busybox.tar);
      const outer = execFileSync('tar', ['-tf', join(dir, 'image.tar')], { encoding: 'utf8' }).trim().split('\n');
      expect(outer).toContain('index.json');
      expect(outer).toContain(`blobs/sha256/${busybox.layerDigest.slice(7)}`);
      writeFileSync(join(dir, 'layer.tar.gz'), fileData(files(busybox.tar), `blobs/sha256/${busybox.layerDigest.slice(7)}`));
      const listing = execFileSync('tar', ['-tvzf', join(dir, 'layer.tar.gz')], { encoding: 'utf8' });
      expect(listing).toMatch(/^lrwxrwxrwx root\/root\s+0 \S+ \S+ bin\/sh -> \/bin\/busybox$/m);
      expect(listing).toMatch(/^-rwxr-xr-x root\/root\s+\d+ \S+ \S+ bin\/busybox$/m);
      expect(listing).toMatch(/^drwxrwxrwt root\/root\s+0 \S+ \S+ tmp\/$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic', () => {
    expect(buildBusyboxImage().manifestDigest).toBe(busybox.manifestDigest);
    expect(sha256(buildPauseImage().tar)).toBe(sha256(pause.tar));
  });
});

describe('tar writer', () => {
  const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(90)}`;
  const veryLong = `${'x'.repeat(200)}/${'y'.repeat(120)}`;
  it.each([
    ['short file', { type: 'file', path: 'a/b.txt', data: Buffer.from('hi'), mode: 0o640 }],
    ['empty file', { type: 'file', path: 'empty', data: Buffer.alloc(0), mode: 0o644 }],
    ['block-sized file', { type: 'file', path: 'blk', data: Buffer.alloc(512, 7), mode: 0o644 }],
    ['ustar prefix path', { type: 'file', path: long, data: Buffer.from('x'), mode: 0o644 }],
    ['PAX path', { type: 'file', path: veryLong, data: Buffer.from('y'), mode: 0o600 }],
    ['symlink', { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' }],
    ['long symlink target', { type: 'symlink', path: 'l', target: `/${'t'.repeat(150)}` }],
    ['dir', { type: 'dir', path: 'var/www', mode: 0o750 }],
  ] as [string, TarEntry][])('round-trips a %s (and GNU tar agrees on the name)', (_label, entry) => {
    const tar = writeTar([entry]);
    expect(tar.length % 512).toBe(0);
    const back = readTar(tar);
    expect(back).toEqual([entry]);
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-tar-'));
    try {
      writeFileSync(join(dir, 't.tar'), tar);
      const names = execFileSync('tar', ['-tf', join(dir, 't.tar')], { encoding: 'utf8' }).trim();
      expect(names).toBe(entry.type === 'dir' ? `${entry.path}/` : entry.path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reference tags', () => {
    expect(referenceTag('k8ts.local/pause:3.10')).toBe('3.10');
    expect(referenceTag('localhost:5000/busybox')).toBe('latest');
    expect(referenceTag('busybox:1.36')).toBe('1.36');
  });

  it('archives from arbitrary entries name the image as given', () => {
    const a = buildOciArchive({ name: 'example.test/app:v1', files: [{ type: 'file', path: 'app', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 }], config: { cmd: ['/app'] } });
    expect(open(a).index.manifests[0]!.annotations[ANNOTATION_CONTAINERD_NAME]).toBe('example.test/app:v1');
  });
});

describe('host binaries for images', () => {
  it.each([
    ['/usr/bin/busybox', false],
    ['/usr/bin/catatonit', false],
    [process.execPath, true],
    ['/bin/ls', true],
  ])('%s dynamically linked: %s', (path, dynamic) => {
    expect(isDynamicElf(readFileSync(path))).toBe(dynamic);
  });

  it('refuses a dynamically linked busybox', () => {
    expect(() => buildBusyboxImage({ busybox: '/bin/ls' })).toThrow(
      "/bin/ls is dynamically linked and cannot run alone in an image: install Debian's busybox-static package (apt-get install busybox-static)",
    );
  });
});
