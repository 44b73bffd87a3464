/**
 * The join token, as k3s's: `K8TS<sha256 hex of the CA certificate PEM>::node:<secret>`. The hash lets
 * a joining agent check the CA it is served before trusting it; the secret authorizes
 * POST /k8ts/v1/node-credentials. Stored in D/server/token (0600), created at first start.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const TOKEN_PREFIX = 'K8TS';
export const TOKEN_USER = 'node';

export interface JoinToken {
  /** sha256 hex of the CA certificate PEM. */
  caHash: string;
  username: string;
  secret: string;
}

export const caHashOf = (caPem: string): string => createHash('sha256').update(caPem).digest('hex');

export function formatJoinToken(t: JoinToken): string {
  return `${TOKEN_PREFIX}${t.caHash}::${t.username}:${t.secret}`;
}

/** Parses a full join token; throws a message naming the expected form on anything else. */
export function parseJoinToken(text: string): JoinToken {
  const m = /^K8TS([0-9a-f]{64})::([^:]+):(.+)$/.exec(text.trim());
  if (!m) throw new Error(`invalid join token: expected the form ${TOKEN_PREFIX}<CA hash>::${TOKEN_USER}:<secret> (the contents of the server's server/token file)`);
  return { caHash: m[1]!, username: m[2]!, secret: m[3]! };
}

export const tokenPath = (dataDir: string): string => join(dataDir, 'server', 'token');

/** Constant-time comparison of a presented secret with the real one. */
export function secretMatches(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Loads D/server/token, creating it with a fresh secret when missing. An existing secret is kept;
 * the CA hash is brought up to date if the CA changed.
 */
export async function ensureJoinToken(dataDir: string, caPem: string): Promise<{ token: JoinToken; path: string; created: boolean }> {
  const path = tokenPath(dataDir);
  const caHash = caHashOf(caPem);
  let existing: JoinToken | undefined;
  try {
    existing = parseJoinToken(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`join token file ${path} is unreadable; remove it to create a new token`, { cause: err });
  }
  if (existing && existing.caHash === caHash) return { token: existing, path, created: false };
  const token: JoinToken = { caHash, username: TOKEN_USER, secret: existing?.secret ?? randomBytes(24).toString('hex') };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${formatJoinToken(token)}\n`, { mode: 0o600 });
  await rename(tmp, path);
  return { token, path, created: !existing };
}
