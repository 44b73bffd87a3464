// src/apiserver/authn: authentication, turning an incoming request into a UserInfo (or a 401). Owns the
// Authenticator contract, the built-in authenticators (client certificates, static token file), the chain
// that runs them and the registry of named factories. Imports Node built-ins only (no storage, no other
// project folders); used by the API server's request pipeline before authorization.
export { AuthenticationError, GROUP_AUTHENTICATED, USER_ANONYMOUS } from './types.js';
export type { Authenticator, UserInfo } from './types.js';
export { authenticateRequest, UnauthorizedError, unauthorizedStatus } from './chain.js';
export { createClientCertAuthenticator } from './client-cert.js';
export { bearerToken, createTokenFileAuthenticator, parseTokenFile } from './token-file.js';
export type { TokenFileEntry, TokenFileOptions } from './token-file.js';
export { authenticatorNames, createAuthenticator, registerAuthenticator } from './registry.js';
export type { AuthenticatorFactory, AuthenticatorOptions } from './registry.js';
