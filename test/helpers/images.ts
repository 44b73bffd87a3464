/**
 * Test images without a registry: builds the pause and busybox OCI archives from the host's
 * catatonit and busybox once per machine (cached in the temp dir under a hash of both binaries
 * and the builder), safe when several vitest workers ask at once (write to a temp name, rename).
 *
 * Known quirk of Debian's static busybox (1.35): `wget -T N` crashes (SIGSEGV) with a small
 * environment, as in containers; write `wget --timeout=N` or `timeout N wget` instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUSYBOX_IMAGE, BUSYBOX_PATH, CATATONIT_PATH, PAUSE_IMAGE, buildBusyboxImage, buildPauseImage, importImageArchive,
} from '../../src/kubelet/images/index.js';

/** Bump when the archive builder changes in a way that alters the images. */
const BUILDER_VERSION = '1';

export interface TestImages {
  dir: string;
  /** Path of the pause image archive (k8ts.local/pause:3.10). */
  pause: string;
  /** Path of the busybox image archive (k8ts.local/busybox:1.36). */
  busybox: string;
}

export const TEST_PAUSE_IMAGE = PAUSE_IMAGE;
export const TEST_BUSYBOX_IMAGE = BUSYBOX_IMAGE;

function writeAtomically(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function ensureTestImages(): Promise<TestImages> {
  const h = createHash('sha256');
  h.update(BUILDER_VERSION);
  h.update(readFileSync(CATATONIT_PATH));
  h.update(readFileSync(BUSYBOX_PATH));
  const dir = join(tmpdir(), `k8ts-test-images-${h.digest('hex').slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  const pause = join(dir, 'pause.tar');
  const busybox = join(dir, 'busybox.tar');
  if (!existsSync(pause)) writeAtomically(pause, buildPauseImage().tar);
  if (!existsSync(busybox)) writeAtomically(busybox, buildBusyboxImage().tar);
  return { dir, pause, busybox };
}

/** Imports both test images into the containerd at `endpoint` (k8s.io namespace). */
export async function importTestImages(endpoint: string): Promise<TestImages> {
  const images = await ensureTestImages();
  await importImageArchive(endpoint, images.pause);
  await importImageArchive(endpoint, images.busybox);
  return images;
}
