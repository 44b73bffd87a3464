/**
 * src/kubelet/streaming: the byte-level side of exec, attach and port-forward — SPDY/3.1 framing
 * (./spdy), the remote command v4 client towards the runtime's streaming URL, the websocket v5 bridge,
 * port-forward tunnelling and HTTP upgrade helpers. Imports Node built-ins and ws only.
 */
export * from './spdy/index.js';
export { RemoteCommand, REMOTE_COMMAND_V4, SUCCESS_STATUS } from './remote-command.js';
export type { RemoteCommandOptions } from './remote-command.js';
export { bridgeRemoteCommand, tunnelWebSocket, WS_PORT_FORWARD_TUNNEL, WS_REMOTE_COMMAND_V4, WS_REMOTE_COMMAND_V5 } from './ws-bridge.js';
export { dialUpgrade, rawHeaderPairs, splice, switchingProtocolsHead, UpgradeRefused } from './upgrade.js';
export type { UpgradeResult } from './upgrade.js';
