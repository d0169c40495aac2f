import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { nkeys } from 'nats';
import { checkId, isActive, parseLifetime, readRegistry, type GatewayIdentity, type IdentityRegistry } from './identity.registry';
import { gatewayInboxPrefix, renderHubAuth, renderSiteAuth } from './nats-auth.renderer';
import { PrivateCa } from './private-ca';

export interface ProvisionContext {
  /** Folder holding the registry, the CA and every identity's files (default ./data/identities). */
  out: string;
  now?: Date;
}

const paths = (out: string) => ({
  registry: join(out, 'registry.json'),
  ca: join(out, 'ca'),
  hub: join(out, 'hub'),
  site: (s: string) => join(out, 'sites', s),
  gateways: (s: string) => join(out, 'sites', s, 'gateways'),
});

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

function newNkey(path: string): string {
  const kp = nkeys.createUser();
  writeSecret(path, `${new TextDecoder().decode(kp.getSeed())}\n`);
  return kp.getPublicKey();
}

function save(out: string, reg: IdentityRegistry): void {
  writeFileSync(paths(out).registry, `${JSON.stringify(reg, null, 2)}\n`);
}

function load(out: string): IdentityRegistry {
  mkdirSync(out, { recursive: true, mode: 0o700 });
  return readRegistry(paths(out).registry);
}

/**
 * The hub: the private CA (created on first use), the leaf listener's certificate and the central
 * services' nkey. Idempotent: a hub already provisioned is kept (its certificate is not reissued).
 */
export function provisionHub(ctx: ProvisionContext, o: { domain?: string; hosts?: string[] } = {}): string {
  const now = ctx.now ?? new Date();
  const reg = load(ctx.out);
  const p = paths(ctx.out);
  const ca = new PrivateCa(p.ca);
  if (!ca.exists()) ca.create();
  if (!reg.hub) {
    const hosts = o.hosts?.length ? o.hosts : ['localhost', '127.0.0.1'];
    mkdirSync(p.hub, { recursive: true, mode: 0o700 });
    ca.issue(join(p.hub, 'leaf-tls'), { commonName: 'millwright-hub', sans: hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)), days: 825 });
    copyFileSync(ca.certPath, join(p.hub, 'ca.crt'));
    reg.hub = { domain: o.domain ?? 'hub', hosts, platformNkey: newNkey(join(p.hub, 'platform.nk')), issuedAt: now.toISOString() };
    save(ctx.out, reg);
  }
  renderAll(ctx.out, reg, now);
  const h = resolve(p.hub);
  return [
    `hub (JetStream domain ${reg.hub.domain}, leaf certificate for ${reg.hub.hosts.join(', ')}) in ${h}`,
    'Run the hub with config/nats/nats-hub-secure.conf, with these files beside it or in its environment:',
    `  ${h}/nats-auth.conf          beside nats-hub-secure.conf (one user per site, rendered again on every change)`,
    `  NATS_LEAF_TLS_CERT=${h}/leaf-tls.crt`,
    `  NATS_LEAF_TLS_KEY=${h}/leaf-tls.key   (secret)`,
    `  NATS_LEAF_TLS_CA=${h}/ca.crt`,
    `Central services (asset platform): NATS_NKEY_SEED_FILE=${h}/platform.nk   (secret)`,
  ].join('\n');
}

/** A new edge site: its leaf certificate (its identity at the hub) and its services' nkey. */
export function provisionSite(ctx: ProvisionContext, site: string, o: { lifetime?: string } = {}): string {
  checkId('site', site);
  const now = ctx.now ?? new Date();
  let reg = load(ctx.out);
  if (!reg.hub) {
    provisionHub(ctx);
    reg = load(ctx.out);
  }
  if (reg.sites.some((s) => s.site === site && isActive(s, now))) throw new Error(`site ${site} is already provisioned (revoke it first to issue new credentials)`);
  const p = paths(ctx.out);
  const dir = p.site(site);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = new PrivateCa(p.ca);
  const lifetimeMs = parseLifetime(o.lifetime ?? '365d');
  const cert = ca.issue(join(dir, 'leaf-tls'), { commonName: `site-${site}`, sans: [`URI:millwright:site:${site}`], days: Math.max(1, Math.ceil(lifetimeMs / 86_400_000)) });
  copyFileSync(ca.certPath, join(dir, 'ca.crt'));
  const servicesNkey = newNkey(join(dir, 'services.nk'));
  reg.sites = reg.sites.filter((s) => s.site !== site);
  reg.sites.push({ kind: 'site', site, leafCertSubject: cert.subject, servicesNkey, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + lifetimeMs).toISOString() });
  save(ctx.out, reg);
  renderAll(ctx.out, reg, now);
  const d = resolve(dir);
  return [
    `site ${site} in ${d} (leaf certificate ${cert.subject}, valid until ${reg.sites.at(-1)!.expiresAt})`,
    "Hand over to the site (its nats-server on config/nats/nats-leaf-secure.conf):",
    `  ${d}/nats-auth.conf        beside nats-leaf-secure.conf (the site's services and gateways)`,
    `  NATS_LEAF_TLS_CERT=${d}/leaf-tls.crt`,
    `  NATS_LEAF_TLS_KEY=${d}/leaf-tls.key   (secret)`,
    `  NATS_LEAF_TLS_CA=${d}/ca.crt`,
    `  NATS_HUB_LEAF_URL=nats-leaf://${reg.hub!.hosts[0]}:7422`,
    `  NATS_JS_DOMAIN=${site}`,
    `The site's services (twin-service, predictor, maintenance, console): NATS_NKEY_SEED_FILE=${d}/services.nk   (secret)`,
    `Hub: ${resolve(p.hub)}/nats-auth.conf now admits the site; reload the hub (nats-server --signal reload).`,
  ].join('\n');
}

/** A new sensor gateway of a site: an nkey (NATS) or a user and password (MQTT). */
export function provisionGateway(ctx: ProvisionContext, site: string, gateway: string, o: { mqtt?: boolean; lifetime?: string } = {}): string {
  checkId('site', site);
  checkId('gateway', gateway);
  const now = ctx.now ?? new Date();
  const reg = load(ctx.out);
  if (!reg.sites.some((s) => s.site === site && isActive(s, now))) throw new Error(`site ${site} is not provisioned (run: provision site ${site})`);
  if (reg.gateways.some((g) => g.site === site && g.gateway === gateway && isActive(g, now))) throw new Error(`gateway ${gateway} of ${site} is already provisioned (revoke it first)`);
  const dir = paths(ctx.out).gateways(site);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base: Omit<GatewayIdentity, 'transport'> = { kind: 'gateway', site, gateway, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + parseLifetime(o.lifetime ?? '365d')).toISOString() };
  let handover: string[];
  reg.gateways = reg.gateways.filter((g) => !(g.site === site && g.gateway === gateway));
  if (o.mqtt) {
    const password = randomBytes(24).toString('base64url');
    const user = `${site}.${gateway}`;
    // Cost 11: about 0.1 s per check on a small box, paid once per MQTT connect.
    reg.gateways.push({ ...base, transport: 'mqtt', mqttUser: user, mqttPasswordHash: bcrypt.hashSync(password, 11) });
    const file = join(dir, `${gateway}.mqtt`);
    writeSecret(file, `MQTT_USERNAME=${user}\nMQTT_PASSWORD=${password}\n`);
    handover = [`MQTT user ${user}, password in ${resolve(file)} (secret; only its bcrypt hash is kept here)`, `  MQTT_USERNAME=${user}`, `  MQTT_PASSWORD=${password}`, `  publishes on telemetry/v1/${site}/<asset> and telemetry/v1/${site}/${gateway}/batch only`];
  } else {
    const file = join(dir, `${gateway}.nk`);
    reg.gateways.push({ ...base, transport: 'nats', nkey: newNkey(file) });
    handover = [`nkey ${reg.gateways.at(-1)!.nkey}`, `  NATS_NKEY_SEED_FILE=${resolve(file)}   (secret)`, `  NATS_INBOX_PREFIX=${gatewayInboxPrefix(site, gateway)}`, `  publishes on telemetry.v1.${site}.<asset> and telemetry.v1.${site}.${gateway}.batch only`];
  }
  save(ctx.out, reg);
  renderAll(ctx.out, reg, now);
  return [`gateway ${gateway} of site ${site}, valid until ${base.expiresAt}:`, ...handover, `Site: ${resolve(paths(ctx.out).site(site))}/nats-auth.conf now admits it; reload the site's nats-server.`].join('\n');
}

/** Revokes a gateway, or a whole site (its leaf link, services and every gateway of it). */
export function revoke(ctx: ProvisionContext, site: string, gateway?: string): string {
  const now = ctx.now ?? new Date();
  const reg = load(ctx.out);
  const at = now.toISOString();
  const hits = gateway
    ? reg.gateways.filter((g) => g.site === site && g.gateway === gateway && !g.revokedAt)
    : [...reg.sites.filter((s) => s.site === site && !s.revokedAt), ...reg.gateways.filter((g) => g.site === site && !g.revokedAt)];
  if (!hits.length) throw new Error(`nothing to revoke for ${gateway ? `gateway ${gateway} of ` : ''}site ${site}`);
  for (const h of hits) h.revokedAt = at;
  save(ctx.out, reg);
  renderAll(ctx.out, reg, now);
  return `revoked ${hits.length} identit${hits.length === 1 ? 'y' : 'ies'} of ${gateway ? `gateway ${gateway} of ` : ''}site ${site}; reload the ${gateway ? "site's" : "hub's and the site's"} nats-server (nats-server --signal reload) to close its connections`;
}

/**
 * Renders every auth file again from the registry: run it on a schedule (and reload) so that
 * expired identities leave the servers, since nats-server's config users carry no expiry.
 */
export function render(ctx: ProvisionContext): string {
  const now = ctx.now ?? new Date();
  const reg = load(ctx.out);
  const files = renderAll(ctx.out, reg, now);
  return `rendered ${files.join(', ')}`;
}

function renderAll(out: string, reg: IdentityRegistry, now: Date): string[] {
  const p = paths(out);
  const files: string[] = [];
  if (reg.hub) {
    writeFileSync(join(p.hub, 'nats-auth.conf'), renderHubAuth(reg, reg.hub, now));
    files.push(join(p.hub, 'nats-auth.conf'));
  }
  for (const s of reg.sites) {
    if (!existsSync(p.site(s.site))) continue;
    writeFileSync(join(p.site(s.site), 'nats-auth.conf'), renderSiteAuth(reg, s.site, now));
    files.push(join(p.site(s.site), 'nats-auth.conf'));
  }
  return files;
}
