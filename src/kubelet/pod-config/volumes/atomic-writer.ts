/**
 * The atomic writer behind configMap, secret, downwardAPI and projected volumes (the kubelet's
 * design): the files live in a timestamped directory `..YYYY_MM_DD_HH_MM_SS.<random>`, `..data`
 * is a symlink to it, and each user-visible top-level name is a symlink into `..data/`. An update
 * writes a new timestamped directory and swaps `..data` with one rename, so a reader sees either
 * the old set of files or the new one; names no longer in the payload disappear.
 */
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

export const DATA_DIR = '..data';
/** What fsGroup adds to the files of read-only volumes (configMap, secret, ...): read for user and group. */
const READ_ONLY_GROUP_MASK = 0o440;
const DATA_TMP = '..data_tmp';

/** Refuses absolute paths, `..` components and names starting with `..`, as upstream does. */
export function validatePayloadPath(p: string): string | undefined {
  if (p === '') return 'invalid path: must not be empty';
  if (p.startsWith('/')) return `invalid path: must be relative path: ${p}`;
  if (p.length > 4096) return `invalid path: must be less than or equal to 4096 characters`;
  if (p.split('/').includes('..')) return `invalid path: must not contain '..': ${p}`;
  if (p.startsWith('..')) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

function timestampPrefix(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

async function readCurrent(dir: string): Promise<string | undefined> {
  try {
    return await readlink(join(dir, DATA_DIR));
  } catch {
    return undefined;
  }
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, r)));
    else out.push(r);
  }
  return out;
}

async function sameAsCurrent(tsDir: string, payload: Map<string, FileProjection>, gid: number | undefined): Promise<boolean> {
  let files: string[];
  try {
    files = await walk(tsDir);
  } catch {
    return false;
  }
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const st = await lstat(join(tsDir, f));
    const mode = gid === undefined ? want.mode & 0o7777 : (want.mode & 0o7777) | READ_ONLY_GROUP_MASK;
    if ((st.mode & 0o7777) !== mode) return false;
    if (gid !== undefined && st.gid !== gid) return false;
    if (!(await readFile(join(tsDir, f))).equals(want.data)) return false;
  }
  return true;
}

export interface AtomicWriteOptions {
  /** Group owner for files and directories (fsGroup); files get group read, directories setgid. */
  gid?: number;
}

/**
 * Makes `dir` hold exactly `payload` (relative path → content and mode). Returns whether anything
 * changed. Throws on an invalid path.
 */
export async function writeAtomic(dir: string, payload: Map<string, FileProjection>, opts: AtomicWriteOptions = {}): Promise<boolean> {
  for (const p of payload.keys()) {
    const err = validatePayloadPath(p);
    if (err) throw new Error(err);
  }
  const clean = new Map([...payload].map(([p, f]) => [normalize(p).split(sep).join('/'), f]));
  await mkdir(dir, { recursive: true });
  const old = await readCurrent(dir);
  if (old && (await sameAsCurrent(join(dir, old), clean, opts.gid))) return false;

  const tsDir = await mkdtemp(join(dir, timestampPrefix()));
  await chmod(tsDir, 0o755);
  for (const [p, f] of clean) {
    const file = join(tsDir, p);
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, f.data);
    await chmod(file, f.mode & 0o7777);
  }
  if (opts.gid !== undefined) await applyGroup(tsDir, opts.gid, READ_ONLY_GROUP_MASK);

  const tmpLink = join(dir, DATA_TMP);
  await rm(tmpLink, { force: true });
  await symlink(tsDir.slice(dir.length + 1), tmpLink);
  await rename(tmpLink, join(dir, DATA_DIR));

  const top = new Set([...clean.keys()].map((p) => p.split('/')[0]!));
  for (const name of top) {
    const link = join(dir, name);
    try {
      await lstat(link);
    } catch {
      await symlink(join(DATA_DIR, name), link);
    }
  }
  if (old && old !== DATA_DIR) await rm(join(dir, old), { recursive: true, force: true });
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') || top.has(name)) continue;
    const st = await lstat(join(dir, name));
    if (st.isSymbolicLink()) await unlink(join(dir, name));
  }
  return true;
}

/**
 * fsGroup ownership as the kubelet applies it: group `gid` on everything under `root`, files get
 * `mask` (0o660 read-write volumes, 0o440 read-only ones), directories also setgid and user/group execute.
 * Symlinks are left alone.
 */
export async function applyGroup(root: string, gid: number, mask: number): Promise<void> {
  const visit = async (p: string): Promise<void> => {
    const st = await lstat(p);
    if (st.isSymbolicLink()) return;
    await chown(p, st.uid, gid);
    if (st.isDirectory()) {
      await chmod(p, (st.mode & 0o7777) | mask | 0o110 | 0o2000);
      for (const e of await readdir(p)) await visit(join(p, e));
    } else {
      await chmod(p, (st.mode & 0o7777) | mask);
    }
  };
  await visit(root);
}
