/**
 * storage/encryption: encryption at rest. A Store wrapper (EncryptingStore) that encrypts the values
 * of the resources an upstream-format EncryptionConfiguration names, with its providers (aesgcm,
 * aescbc, identity), and the key rotation that rewrites every such value with a new key.
 * May import node built-ins, yaml and storage/store.ts; used by src/server/ only.
 */
export { EncryptingStore } from './encrypting-store.js';
export { aesGcmKeysOf, newAesKey, parseEncryptionConfig, renderEncryptionConfig } from './config.js';
export type { AesKey, EncryptionConfig, EncryptionRule } from './config.js';
export { EncryptionError, aesCbcTransformer, aesGcmTransformer, identityTransformer } from './providers.js';
export type { ValueTransformer } from './providers.js';
export { rewriteEncrypted } from './rewrite.js';
