/** The host's mount table (/proc/self/mountinfo): which directories are mount points, and unmounting them. */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mount points (decoded paths) from /proc/self/mountinfo. */
export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter(Boolean).map((l) => l.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))));
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).includes(path);
}

/** Unmounts every mount point at or below `root`, deepest first. */
export async function unmountUnder(root: string): Promise<void> {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const targets = (await mountPoints()).filter((m) => m === root || m.startsWith(prefix)).sort((a, b) => b.length - a.length);
  for (const t of targets) {
    try {
      await run('umount', [t]);
    } catch {
      await run('umount', ['-l', t]);
    }
  }
}

let tmpfsUnavailable = false;

/**
 * Makes `dir` a tmpfs (memory-backed, as the kubelet keeps secret and projected volumes off the
 * disk); when mounting is not possible (no privilege) the directory stays a plain one and that is
 * logged once. Returns whether a new tmpfs was mounted.
 */
export async function ensureTmpfs(dir: string, log: (msg: string) => void, options = 'mode=0755'): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  if (tmpfsUnavailable || (await isMountPoint(dir))) return false;
  try {
    await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    return true;
  } catch (err) {
    tmpfsUnavailable = true;
    log(`volumes: cannot mount tmpfs (${(err as Error).message.trim()}); secret volumes stay on disk`);
    return false;
  }
}
