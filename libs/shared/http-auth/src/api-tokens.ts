import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { CONSOLE_ROLES, type ConsoleRole } from '@millwright/console-contracts';

/** The roles of the HTTP APIs: the console's, in the same order (viewer < technician < admin). */
export type ApiRole = ConsoleRole;
export const API_ROLES = CONSOLE_ROLES;

export interface ApiToken {
  name: string;
  role: ApiRole;
  /** SHA-256 of the token, hex. */
  sha256: string;
}

/**
 * A new token and the entry for API_TOKENS. Tokens are 32 random bytes, so a plain SHA-256 is
 * enough to keep the configured entry useless to a reader: there is nothing to guess, and unlike
 * scrypt (right for people's passwords) it costs nothing on every request.
 */
export function newApiToken(name: string, role: ApiRole): { token: string; entry: string } {
  const token = `mwt_${randomBytes(32).toString('base64url')}`;
  return { token, entry: `${name}:${role}:${sha256(token)}` };
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Reads token entries `name:role:sha256-hex`, separated by newlines, commas or semicolons (one per
 * line in a mounted Secret file); `#` starts a comment line. Throws naming the bad entry, so the
 * service refuses to start on a typo rather than running with one token less.
 */
export function parseApiTokens(spec: string): ApiToken[] {
  const tokens: ApiToken[] = [];
  for (const entry of spec.split(/[\n,;]+/).map((e) => e.trim()).filter((e) => e && !e.startsWith('#'))) {
    const [name, role, hash, ...rest] = entry.split(':');
    const where = `token entry '${name ?? entry}'`;
    if (rest.length || !name || !role || !hash) throw new Error(`${where}: expected name:role:sha256-hex`);
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) throw new Error(`${where}: names are 1-64 letters, digits, . _ @ -`);
    if (!(API_ROLES as readonly string[]).includes(role)) throw new Error(`${where}: role must be one of ${API_ROLES.join(', ')}`);
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`${where}: the token must be given as its SHA-256 (64 hex digits, see new-api-token), never the token itself`);
    if (tokens.some((t) => t.name === name)) throw new Error(`${where}: listed twice`);
    tokens.push({ name, role: role as ApiRole, sha256: hash });
  }
  return tokens;
}

/** API_TOKENS plus the entries of API_TOKENS_FILE (a mounted Secret). */
export function loadApiTokens(inline: string, file: string): ApiToken[] {
  if (file && !existsSync(file)) throw new Error(`API_TOKENS_FILE ${file} does not exist`);
  return parseApiTokens([inline, file ? readFileSync(file, 'utf8') : ''].join('\n'));
}

/** The token a presented secret matches, or null. Compares every entry in constant time. */
export function matchApiToken(tokens: readonly ApiToken[], presented: string): ApiToken | null {
  const given = Buffer.from(sha256(presented), 'hex');
  let hit: ApiToken | null = null;
  for (const t of tokens) if (timingSafeEqual(given, Buffer.from(t.sha256, 'hex'))) hit = t;
  return hit;
}

export function apiRoleAllows(role: ApiRole, needed: ApiRole): boolean {
  return API_ROLES.indexOf(role) >= API_ROLES.indexOf(needed);
}
