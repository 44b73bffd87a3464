/**
 * kubelet/images: images without a registry — a deterministic OCI image-layout archive builder
 * (own tar writer, oci-archive.ts), the built-in pause and busybox images made from host binaries
 * (builtin.ts), and importing archives into containerd's k8s.io namespace with ctr (import.ts).
 * May import node built-ins, src/kubelet/cri and src/kubelet/containerd/config.ts (socket layout) only.
 */
export { writeTar, readTar, TAR_MTIME } from './tar.js';
export type { TarEntry } from './tar.js';
export {
  buildOciArchive, withParentDirs, sha256, ociArchitecture, referenceTag,
  MEDIA_INDEX, MEDIA_MANIFEST, MEDIA_CONFIG, MEDIA_LAYER_GZIP, ANNOTATION_REF_NAME, ANNOTATION_CONTAINERD_NAME,
} from './oci-archive.js';
export type { OciArchive, OciImageSpec, ImageConfig } from './oci-archive.js';
export {
  PAUSE_IMAGE, BUSYBOX_IMAGE, CATATONIT_PATH, BUSYBOX_PATH, buildPauseImage, buildBusyboxImage, buildBuiltinImage, busyboxApplets, isDynamicElf,
} from './builtin.js';
export {
  CRI_NAMESPACE, importImageArchive, importImageBuffer, ensureBuiltinImages, importImageDir, hasImage,
} from './import.js';
export type { ImportOptions } from './import.js';
export { imagesDir, buildBuiltinArchives, importArchiveCommand, listImagesCommand } from './cli.js';
export type { ImportCommandOptions } from './cli.js';
