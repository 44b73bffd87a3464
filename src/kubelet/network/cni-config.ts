/**
 * kubelet/network: the node's pod network as CNI configuration for containerd's CRI plugin. One
 * conflist, `10-k8ts.conflist` in the agent's CNI conf dir (D/agent/cni): a Linux bridge (default
 * `k8ts0`) that is the pods' gateway, masquerades traffic leaving the pod CIDR and allows hairpin
 * traffic, host-local IPAM over the node's podCIDR (its state under D/agent/cni-ipam so servers
 * sharing a machine never share allocations), and portmap for hostPort. containerd sets up
 * loopback itself. Written atomically: containerd watches the directory and reports NetworkReady
 * once a valid config is there. May import node built-ins only.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CNI_CONFLIST_NAME = '10-k8ts.conflist';
export const DEFAULT_BRIDGE = 'k8ts0';
export const DEFAULT_NETWORK_NAME = 'k8ts';
/** CNI spec version: what containerd 1.6's libcni and containernetworking-plugins 1.1 both speak. */
export const CNI_VERSION = '1.0.0';
/** Linux interface names are at most 15 bytes. */
const IFNAMSIZ_MAX = 15;

export interface CniConfigOptions {
  /** The conf dir containerd reads (D/agent/cni). */
  confDir: string;
  /** The node's pod subnet (node.spec.podCIDR). */
  podCIDR: string;
  /** Where host-local keeps its allocations (D/agent/cni-ipam). */
  ipamDataDir: string;
  /** Bridge device name (default k8ts0); at most 15 characters. */
  bridge?: string;
  /** The CNI network name (default k8ts). */
  networkName?: string;
  mtu?: number;
}

/** A bridge name derived from a node name, for several nodes on one machine: `k8ts-` and 10 hex digits. */
export function bridgeNameFor(nodeName: string): string {
  return `k8ts-${createHash('sha256').update(nodeName).digest('hex').slice(0, IFNAMSIZ_MAX - 5)}`;
}

export function validBridgeName(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= IFNAMSIZ_MAX && /^[A-Za-z0-9_.-]+$/.test(name) && name !== '.' && name !== '..';
}

/** The conflist as an object. */
export function renderCniConfig(opts: Omit<CniConfigOptions, 'confDir'>): Record<string, unknown> {
  const bridge = opts.bridge ?? DEFAULT_BRIDGE;
  if (!validBridgeName(bridge)) throw new Error(`invalid CNI bridge name "${bridge}" (at most ${IFNAMSIZ_MAX} letters, digits, '-', '_' or '.')`);
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(opts.podCIDR)) throw new Error(`invalid pod CIDR "${opts.podCIDR}"`);
  return {
    cniVersion: CNI_VERSION,
    name: opts.networkName ?? DEFAULT_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ...(opts.mtu ? { mtu: opts.mtu } : {}),
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: opts.podCIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: opts.ipamDataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/**
 * Writes the conflist (temp file + rename, so containerd never reads half a file); a no-op when the
 * file already holds the same config. Returns its path and whether it changed.
 */
export async function writeCniConfig(opts: CniConfigOptions): Promise<{ path: string; changed: boolean }> {
  const text = `${JSON.stringify(renderCniConfig(opts), null, 2)}\n`;
  const path = join(opts.confDir, CNI_CONFLIST_NAME);
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old === text) return { path, changed: false };
  await mkdir(opts.confDir, { recursive: true, mode: 0o755 });
  await mkdir(opts.ipamDataDir, { recursive: true, mode: 0o700 });
  const tmp = join(opts.confDir, `.${CNI_CONFLIST_NAME}.${process.pid}.tmp`);
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
  return { path, changed: true };
}
