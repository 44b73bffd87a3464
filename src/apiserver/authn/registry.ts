// Named authenticator factories. Add an authenticator by adding a file and a line in BUILT_IN below.
import { createClientCertAuthenticator } from './client-cert.js';
import { createTokenFileAuthenticator } from './token-file.js';
import type { Authenticator } from './types.js';

export type AuthenticatorOptions = Record<string, unknown>;
export type AuthenticatorFactory = (options: AuthenticatorOptions) => Authenticator;

function optionalString(options: AuthenticatorOptions, key: string, authenticator: string): string | undefined {
  const v = options[key];
  if (v !== undefined && typeof v !== 'string') throw new Error(`${authenticator} authenticator: option "${key}" must be a string`);
  return v;
}

const BUILT_IN: Record<string, AuthenticatorFactory> = {
  'client-cert': () => createClientCertAuthenticator(),
  'token-file': (o) =>
    createTokenFileAuthenticator({ path: optionalString(o, 'path', 'token-file'), csv: optionalString(o, 'csv', 'token-file') }),
};

const factories = new Map<string, AuthenticatorFactory>(Object.entries(BUILT_IN));

/** Adds (or replaces) a named authenticator factory. */
export function registerAuthenticator(name: string, factory: AuthenticatorFactory): void {
  factories.set(name, factory);
}

/** Creates the authenticator registered as `name`. */
export function createAuthenticator(name: string, options: AuthenticatorOptions = {}): Authenticator {
  const factory = factories.get(name);
  if (!factory) throw new Error(`unknown authenticator "${name}" (known: ${authenticatorNames().join(', ')})`);
  return factory(options);
}

export function authenticatorNames(): string[] {
  return [...factories.keys()].sort();
}
