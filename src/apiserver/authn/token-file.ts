// Static bearer tokens from a CSV file in upstream's format: `token,user,uid[,"group1,group2"]`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { parseCsv } from './csv.js';
import { AuthenticationError } from './types.js';
import type { Authenticator, UserInfo } from './types.js';

export interface TokenFileEntry {
  token: string;
  user: UserInfo;
}

/**
 * Parses a static token file. Records need at least three columns (token, user name, uid); the optional
 * fourth is a comma-separated group list; further columns are ignored. Records with an empty token are
 * skipped; when a token repeats, the last record wins.
 */
export function parseTokenFile(text: string, source = 'token file'): TokenFileEntry[] {
  const entries: TokenFileEntry[] = [];
  for (const record of parseCsv(text)) {
    if (record.length < 3) {
      throw new Error(`token file '${source}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    }
    const [token, username, uid, groups] = record as [string, string, string, string | undefined];
    if (token === '') continue;
    const user: UserInfo = { username, groups: groups ? groups.split(',').filter((g) => g !== '') : [] };
    if (uid !== '') user.uid = uid;
    entries.push({ token, user });
  }
  return entries;
}

/**
 * The bearer token of a request, or undefined when it has none: `Authorization: Bearer <token>`, scheme
 * case-insensitive, anything after the token ignored.
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const parts = header.trim().split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export interface TokenFileOptions {
  /** Path of the CSV file, read once when the authenticator is created. */
  path?: string;
  /** The CSV text itself, instead of `path`. */
  csv?: string;
}

export function createTokenFileAuthenticator(opts: TokenFileOptions): Authenticator {
  let text: string;
  if (opts.csv !== undefined) text = opts.csv;
  else if (opts.path !== undefined) text = readFileSync(opts.path, 'utf8');
  else throw new Error('token-file authenticator needs a "path" (or "csv") option');
  const entries = parseTokenFile(text, opts.path ?? 'inline').map((e) => ({ digest: digest(e.token), user: e.user }));

  return {
    name: 'token-file',
    authenticate(req: IncomingMessage): UserInfo | undefined {
      const token = bearerToken(req);
      if (token === undefined) return undefined;
      // Compare fixed-length digests against every entry without stopping early, so timing reveals
      // neither the position nor the prefix of a matching token. The last matching record wins.
      const presented = digest(token);
      let match: UserInfo | undefined;
      for (const e of entries) {
        if (timingSafeEqual(e.digest, presented)) match = e.user;
      }
      if (!match) throw new AuthenticationError('invalid bearer token');
      return { ...match, groups: [...match.groups] };
    },
  };
}
