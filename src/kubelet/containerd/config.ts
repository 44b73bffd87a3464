/**
 * containerd's config.toml (version 2) for a k8ts node: everything under one directory, the CRI
 * plugin with k8ts' pause image, CNI dirs, overlayfs, runc v2 with cgroupfs, no TCP service and a
 * loopback-only streaming server on a free port.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAUSE_IMAGE } from '../images/builtin.js';

export interface ContainerdLayout {
  dir: string;
  root: string;
  state: string;
  socket: string;
  config: string;
  log: string;
  pidFile: string;
}

/** Longest unix socket path the kernel accepts (sun_path is 108 bytes with the NUL). */
export const MAX_SOCKET_PATH = 107;

/** D/agent/containerd/... ; a socket path that would be too long moves to the temp dir. */
export function containerdLayout(dataDir: string): ContainerdLayout {
  const dir = join(dataDir, 'agent', 'containerd');
  let socket = join(dir, 'containerd.sock');
  // containerd also binds SOCKET.ttrpc, so leave room for that suffix.
  if (Buffer.byteLength(socket) + '.ttrpc'.length > MAX_SOCKET_PATH) {
    const h = createHash('sha256').update(dir).digest('hex').slice(0, 12);
    socket = join(tmpdir(), `k8ts-ctrd-${h}`, 'containerd.sock');
  }
  return {
    dir,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket,
    config: join(dir, 'config.toml'),
    log: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
  };
}

export interface ContainerdConfigOptions {
  layout: ContainerdLayout;
  pauseImage?: string;
  cniBinDir?: string;
  cniConfDir: string;
  /** containerd log level (default info). */
  logLevel?: string;
  /**
   * Clamp containers' oom_score_adj to containerd's own (needed when k8ts lacks CAP_SYS_RESOURCE,
   * e.g. inside a VM sandbox or a container). Default: detected from this process' capabilities.
   */
  restrictOomScoreAdj?: boolean;
}

/** True when this process has CAP_SYS_RESOURCE (needed to lower oom_score_adj). */
export function hasSysResourceCapability(): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (!m) return true;
    return (BigInt(`0x${m[1]}`) & (1n << 24n)) !== 0n;
  } catch {
    return true;
  }
}

function q(s: string): string {
  return JSON.stringify(s); // TOML basic strings accept JSON string escapes for what we write
}

export function containerdConfigToml(o: ContainerdConfigOptions): string {
  const l = o.layout;
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return [
    '# Written by k8ts; rewritten on every agent start.',
    'version = 2',
    `root = ${q(l.root)}`,
    `state = ${q(l.state)}`,
    '',
    '[grpc]',
    `  address = ${q(l.socket)}`,
    '',
    '[debug]',
    `  level = ${q(o.logLevel ?? 'info')}`,
    '',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q(join(l.dir, 'opt'))}`,
    '',
    `${cri}]`,
    `  sandbox_image = ${q(o.pauseImage ?? PAUSE_IMAGE)}`,
    '  disable_tcp_service = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  enable_selinux = false',
    '  disable_apparmor = true',
    `  restrict_oom_score_adj = ${o.restrictOomScoreAdj ?? !hasSysResourceCapability()}`,
    '  max_container_log_line_size = 16384',
    '',
    `${cri}.containerd]`,
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    '',
    `${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    '',
    `${cri}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    '',
    `${cri}.cni]`,
    `  bin_dir = ${q(o.cniBinDir ?? '/usr/lib/cni')}`,
    `  conf_dir = ${q(o.cniConfDir)}`,
    '',
  ].join('\n');
}
