/**
 * server: the one place that wires concrete implementations together (store backend, PKI,
 * authenticators, authorizer, API server) and starts them in order, each behind a ready promise.
 */
export { startServer, type ServerOptions, type RunningServer } from './start.js';
