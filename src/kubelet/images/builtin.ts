/**
 * The images k8ts builds from host binaries instead of pulling: the pod sandbox ("pause") image
 * from catatonit in pause mode, and a busybox test image from Debian's static busybox with a
 * symlink per applet. Both are static binaries, so a single layer is a complete root filesystem.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { buildOciArchive, withParentDirs, type OciArchive } from './oci-archive.js';
import type { TarEntry } from './tar.js';

export const PAUSE_IMAGE = 'k8ts.local/pause:3.10';
export const BUSYBOX_IMAGE = 'k8ts.local/busybox:1.36';

export const CATATONIT_PATH = '/usr/bin/catatonit';
export const BUSYBOX_PATH = '/usr/bin/busybox';

/** True when an ELF binary asks for a program interpreter (is dynamically linked). */
export function isDynamicElf(bin: Buffer): boolean {
  if (bin.length < 64 || bin.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = bin[4] === 2;
  const le = bin[5] === 1;
  const u16 = (o: number): number => (le ? bin.readUInt16LE(o) : bin.readUInt16BE(o));
  const u32 = (o: number): number => (le ? bin.readUInt32LE(o) : bin.readUInt32BE(o));
  const phoff = is64 ? Number(le ? bin.readBigUInt64LE(0x20) : bin.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + 4 > bin.length) break;
    if (u32(o) === 3) return true; // PT_INTERP
  }
  return false;
}

function hostBinary(path: string, pkg: string): Buffer {
  if (!existsSync(path)) {
    throw new Error(`${path} not found: install Debian's ${pkg} package (apt-get install ${pkg})`);
  }
  const bin = readFileSync(path);
  if (isDynamicElf(bin)) {
    throw new Error(`${path} is dynamically linked and cannot run alone in an image: install Debian's ${pkg} package (apt-get install ${pkg})`);
  }
  return bin;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n';

function etcFiles(): TarEntry[] {
  return [
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/passwd', data: Buffer.from(PASSWD) },
    { type: 'file', path: 'etc/group', data: Buffer.from(GROUP) },
  ];
}

/** The pause image: /catatonit run as `catatonit -P` (reaps children, waits for a signal). */
export function buildPauseImage(opts: { catatonit?: string; name?: string } = {}): OciArchive {
  const bin = hostBinary(opts.catatonit ?? CATATONIT_PATH, 'catatonit');
  return buildOciArchive({
    name: opts.name ?? PAUSE_IMAGE,
    files: withParentDirs([
      { type: 'file', path: 'catatonit', data: bin, mode: 0o755 },
      ...etcFiles(),
    ]),
    config: { entrypoint: ['/catatonit', '-P'], user: '65535:65535' },
  });
}

/** The applet paths busybox offers ("bin/sh", "usr/bin/nc", ...). */
export function busyboxApplets(busybox: string = BUSYBOX_PATH): string[] {
  const out = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('/'))
    .filter((l) => l !== 'bin/busybox');
}

/** The busybox test image: /bin/busybox + one symlink per applet, /etc/passwd|group, /tmp; Cmd sh. */
export function buildBusyboxImage(opts: { busybox?: string; name?: string } = {}): OciArchive {
  const path = opts.busybox ?? BUSYBOX_PATH;
  const bin = hostBinary(path, 'busybox-static');
  const applets = busyboxApplets(path).sort();
  const entries: TarEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/busybox', data: bin, mode: 0o755 },
    ...applets.map((a): TarEntry => ({ type: 'symlink', path: a, target: '/bin/busybox' })),
    ...etcFiles(),
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'home' },
    { type: 'dir', path: 'var' },
    { type: 'dir', path: 'var/www' },
  ];
  return buildOciArchive({
    name: opts.name ?? BUSYBOX_IMAGE,
    files: withParentDirs(entries),
    config: { cmd: ['sh'] },
  });
}

const built = new Map<string, OciArchive>();

/** Builds one of the built-in images by reference (once per process), or undefined for any other reference. */
export function buildBuiltinImage(ref: string): OciArchive | undefined {
  const cached = built.get(ref);
  if (cached) return cached;
  const archive = ref === PAUSE_IMAGE ? buildPauseImage() : ref === BUSYBOX_IMAGE ? buildBusyboxImage() : undefined;
  if (archive) built.set(ref, archive);
  return archive;
}
