import { existsSync, readFileSync } from 'node:fs';

/**
 * What the provisioning tool remembers about every identity it issued: public keys, password
 * hashes and certificate subjects only, never a seed, a password or a private key (those are
 * written once into the identity's own folder and handed over). The NATS auth files are rendered
 * from this, so revoking or letting an identity expire is "render again and reload the server".
 */
export interface SiteIdentity {
  kind: 'site';
  site: string;
  /** Subject DN of the site's leaf certificate, as nats-server's verify_and_map sees it (RFC 2253). */
  leafCertSubject: string;
  /** Public nkey of the site's own services on the site's nats-server. */
  servicesNkey: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt?: string;
}

export interface GatewayIdentity {
  kind: 'gateway';
  site: string;
  gateway: string;
  transport: 'nats' | 'mqtt';
  /** nats: the gateway's public nkey. */
  nkey?: string;
  /** mqtt: user name and bcrypt hash of its password (nats-server 2.9's MQTT takes no nkeys). */
  mqttUser?: string;
  mqttPasswordHash?: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt?: string;
}

export interface HubIdentity {
  /** JetStream domain of the hub (the sites' downlink is sourced from `$JS.<domain>.API`). */
  domain: string;
  hosts: string[];
  /** Public nkey of the central services (asset platform) on the hub. */
  platformNkey: string;
  issuedAt: string;
}

export interface IdentityRegistry {
  version: 1;
  hub?: HubIdentity;
  sites: SiteIdentity[];
  gateways: GatewayIdentity[];
}

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function checkId(what: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`${what} '${id}' must be 1-64 of [A-Za-z0-9_-] (it is a subject token)`);
  return id;
}

export function emptyRegistry(): IdentityRegistry {
  return { version: 1, sites: [], gateways: [] };
}

export function readRegistry(path: string): IdentityRegistry {
  if (!existsSync(path)) return emptyRegistry();
  const r = JSON.parse(readFileSync(path, 'utf8')) as IdentityRegistry;
  if (r.version !== 1) throw new Error(`${path}: unknown registry version ${String(r.version)}`);
  return r;
}

/** Valid now: not revoked and not expired. The auth files only ever contain these. */
export function isActive(id: { expiresAt: string; revokedAt?: string }, now: Date): boolean {
  return !id.revokedAt && Date.parse(id.expiresAt) > now.getTime();
}

/** `90d`, `12h`, `30m`, `10s` -> milliseconds. */
export function parseLifetime(spec: string): number {
  const m = /^(\d+)([dhms])$/.exec(spec);
  if (!m || Number(m[1]) === 0) throw new Error(`lifetime '${spec}' must be a positive number with d, h, m or s, e.g. 365d`);
  return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m[2] as 'd' | 'h' | 'm' | 's'];
}
