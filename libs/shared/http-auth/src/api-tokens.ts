import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** One `name:role:secret` entry of a credentials setting (API tokens, console users). */
export interface RoleEntry {
  name: string;
  role: ApiRole;
  secret: string;
}

/**
 * Reads credential entries `name:role:secret`, separated by newlines, commas or semicolons (one per
 * line in a mounted Secret file); `#` starts a comment line. Throws naming the bad entry, so a service
 * refuses to start on a typo rather than running with one credential less. `secretProblem` says what
 * is wrong with a secret (a plain password or token where a hash belongs), or null.
 */
export function parseRoleEntries(spec: string, what: { entry: string; secret: string }, secretProblem: (secret: string) => string | null): RoleEntry[] {
  const out: RoleEntry[] = [];
  for (const entry of spec.split(/[\n,;]+/).map((e) => e.trim()).filter((e) => e && !e.startsWith('#'))) {
    const [name, role, secret, ...rest] = entry.split(':');
    const where = `${what.entry} entry '${name ?? entry}'`;
    if (rest.length || !name || !role || !secret) throw new Error(`${where}: expected name:role:${what.secret}`);
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) throw new Error(`${where}: names are 1-64 letters, digits, . _ @ -`);
    if (!(API_ROLES as readonly string[]).includes(role)) throw new Error(`${where}: role must be one of ${API_ROLES.join(', ')}`);
    const problem = secretProblem(secret);
    if (problem) throw new Error(`${where}: ${problem}`);
    if (out.some((t) => t.name === name)) throw new Error(`${where}: listed twice`);
    out.push({ name, role: role as ApiRole, secret });
  }
  return out;
}

/** An inline setting plus the entries of a file (a mounted Secret), as one spec. */
export function readRoleEntries(inline: string, file: string, fileSetting: string, read: (p: string) => string = (p) => readFileSync(p, 'utf8')): string {
  if (!file) return inline;
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    throw new Error(`${fileSetting} ${file} cannot be read: ${(e as Error).message}`);
  }
  return [inline, text].join('\n');
}

/** Token entries `name:role:sha256-hex`: the token itself never appears in configuration. */
export function parseApiTokens(spec: string): ApiToken[] {
  return parseRoleEntries(spec, { entry: 'token', secret: 'sha256-hex' }, (h) =>
    /^[0-9a-f]{64}$/.test(h) ? null : 'the token must be given as its SHA-256 (64 hex digits, see new-api-token), never the token itself',
  ).map((e) => ({ name: e.name, role: e.role, sha256: e.secret }));
}

/** API_TOKENS plus the entries of API_TOKENS_FILE (a mounted Secret). */
export function loadApiTokens(inline: string, file: string): ApiToken[] {
  return parseApiTokens(readRoleEntries(inline, file, 'API_TOKENS_FILE'));
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
