/**
 * Getting images into containerd without a registry: `ctr images import` (Debian's containerd
 * ships ctr) into the CRI's `k8s.io` namespace, the built-in images on demand, and every `*.tar`
 * under a directory (air-gapped nodes, like k3s' agent/images/).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CriClient } from '../cri/index.js';
import { PAUSE_IMAGE, buildBuiltinImage } from './builtin.js';

const run = promisify(execFile);

/** containerd namespace the CRI plugin uses. */
export const CRI_NAMESPACE = 'k8s.io';

export interface ImportOptions {
  /** Extra name to keep the archive's index under (ctr --index-name). */
  indexName?: string;
  /** ctr binary (default: ctr on PATH). */
  ctr?: string;
}

function socketPath(endpoint: string): string {
  return endpoint.replace(/^unix:\/\//, '').replace(/^unix:/, '');
}

/**
 * Imports an OCI or docker image archive into containerd's k8s.io namespace and returns the image
 * names ctr reports. Throws with ctr's output on failure.
 */
export async function importImageArchive(endpoint: string, file: string, opts: ImportOptions = {}): Promise<string[]> {
  const args = ['-a', socketPath(endpoint), '-n', CRI_NAMESPACE, 'images', 'import'];
  if (opts.indexName) args.push('--index-name', opts.indexName);
  args.push(file);
  try {
    const { stdout } = await run(opts.ctr ?? 'ctr', args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
    // ctr prints "unpacking NAME (sha256:...)...done" per image.
    return [...stdout.matchAll(/unpacking (\S+) \(/g)].map((m) => m[1]!);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (e.code === 'ENOENT') {
      throw new Error('ctr not found: install Debian\'s containerd package (apt-get install containerd runc containernetworking-plugins)');
    }
    const out = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim();
    throw new Error(`importing ${file} into containerd failed: ${out || e.message}`);
  }
}

/** Imports an in-memory archive (written to a temp file first). */
export async function importImageBuffer(endpoint: string, tar: Buffer, opts: ImportOptions = {}): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-image-'));
  try {
    const file = join(dir, 'image.tar');
    writeFileSync(file, tar);
    return await importImageArchive(endpoint, file, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when the runtime has the image. */
export async function hasImage(cri: CriClient, ref: string): Promise<boolean> {
  const res = await cri.image.imageStatus({ image: { image: ref } });
  return !!res.image;
}

/**
 * Makes sure the built-in images (default: the pause image) are present, building them from the
 * host binaries and importing them when ImageStatus says they are missing. Returns the ones imported.
 */
export async function ensureBuiltinImages(
  cri: CriClient, endpoint: string = cri.endpoint, refs: string[] = [PAUSE_IMAGE],
): Promise<string[]> {
  const imported: string[] = [];
  for (const ref of refs) {
    if (await hasImage(cri, ref)) continue;
    const archive = buildBuiltinImage(ref);
    if (!archive) throw new Error(`${ref} is not a built-in image`);
    await importImageBuffer(endpoint, archive.tar);
    imported.push(ref);
  }
  return imported;
}

/**
 * Imports every `*.tar` file in `dir` (sorted by name); a missing dir is fine. Failures are
 * reported through `log` and skipped, so one bad archive does not stop the node.
 */
export async function importImageDir(
  endpoint: string, dir: string, log: (msg: string) => void = () => {},
): Promise<{ file: string; images: string[] }[]> {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.tar')).sort();
  const done: { file: string; images: string[] }[] = [];
  for (const f of files) {
    const file = join(dir, f);
    try {
      const images = await importImageArchive(endpoint, file);
      log(`imported ${images.join(', ') || '(no named images)'} from ${file}`);
      done.push({ file, images });
    } catch (err) {
      log((err as Error).message);
    }
  }
  return done;
}
