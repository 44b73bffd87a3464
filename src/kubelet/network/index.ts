// kubelet/network: CNI configuration for the node's pod network (see cni-config.ts). Node built-ins only.
export {
  CNI_CONFLIST_NAME, CNI_VERSION, DEFAULT_BRIDGE, DEFAULT_NETWORK_NAME, bridgeNameFor, renderCniConfig, validBridgeName, writeCniConfig,
} from './cni-config.js';
export type { CniConfigOptions } from './cni-config.js';
