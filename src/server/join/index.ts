/**
 * server/join: how more nodes join a cluster, as k3s does. The server side keeps a join token
 * (D/server/token) and serves the CA and node credentials (routes.ts); the agent side checks the
 * CA against the token, fetches and keeps its credentials (agent-credentials.ts) and runs the node
 * (run-agent.ts, `k8ts agent`). May import src/pki, src/client and src/kubelet.
 */
export { ensureJoinToken, parseJoinToken, formatJoinToken, caHashOf, tokenPath } from './token.js';
export type { JoinToken } from './token.js';
export { joinRoutes, CACERTS_PATH, NODE_CREDENTIALS_PATH } from './routes.js';
export type { NodeCredentials, ExtraRoute } from './routes.js';
export { ensureAgentCredentials, fetchVerifiedCa, requestNodeCredentials, credentialsFit } from './agent-credentials.js';
export type { JoinOptions, AgentCredentials } from './agent-credentials.js';
export { runAgent } from './run-agent.js';
export type { AgentOptions, RunningAgent } from './run-agent.js';
