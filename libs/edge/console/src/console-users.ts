import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ConsoleRole } from '@millwright/console-contracts';
import { parseRoleEntries } from '@millwright/http-auth';

export interface ConsoleUser {
  name: string;
  role: ConsoleRole;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>`: never a password. */
  passwordHash: string;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, o, (e, key) => (e ? reject(e) : resolve(key))));
}

/** Hashes a password for the users setting (what `main.js hash-password` prints). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5], 'base64');
  const key = await scryptAsync(password, Buffer.from(m[4], 'base64'), expected.length, { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), maxmem: 256 * 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Reads the users setting: entries `name:role:scrypt-hash` (the same entry format as API tokens).
 * Throws naming the bad entry, so the service refuses to start.
 */
export function parseUsers(spec: string): ConsoleUser[] {
  return parseRoleEntries(spec, { entry: 'user', secret: 'scrypt-hash' }, (h) =>
    h.startsWith('scrypt$') ? null : 'the password must be an scrypt hash (see hash-password), never the password itself',
  ).map((e) => ({ name: e.name, role: e.role, passwordHash: e.secret }));
}
