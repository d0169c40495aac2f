import { isActive, type GatewayIdentity, type HubIdentity, type IdentityRegistry, type SiteIdentity } from './identity.registry';

export interface Permissions {
  publish: string[];
  subscribe: string[];
}

/**
 * What a gateway may do: publish readings of its own site (one asset per message) and batches
 * under its own gateway id, nothing else. It subscribes only to its own reply inbox (JetStream
 * publish acks), so it can read neither twins, orders nor anyone else's replies.
 */
export function gatewayPermissions(site: string, gateway: string): Permissions {
  return { publish: [`telemetry.v1.${site}.*`, `telemetry.v1.${site}.${gateway}.batch`], subscribe: [gatewayInboxPrefix(site, gateway) + '.>'] };
}

/** The reply-inbox prefix a gateway must use (nats.js `inboxPrefix`), the only thing it may subscribe to. */
export const gatewayInboxPrefix = (site: string, gateway: string): string => `_INBOX_${site}_${gateway}`;

/**
 * What a site's leaf connection may do at the hub. Publish is what the site may send into the hub,
 * subscribe is what the hub sends down to it. Site data reaches the hub only by stream sourcing,
 * so the site may deliver on its own sourcing subject and answer the hub's calls to its own
 * JetStream API; it may read the hub's DOWNLINK stream (for its own part) and nothing else of the
 * hub's JetStream. It receives the hub's calls to its own domain, its own downlink deliveries and
 * the central platform's messages for it: never another site's.
 */
export function siteLeafPermissions(site: string, hubDomain: string): Permissions {
  const hubApi = `$JS.${hubDomain}.API`;
  return {
    publish: [
      `deliver.sync.${site}.>`,
      // Sourcing creates its consumer with the filter in the subject (CREATE.<stream>.<name>.<filter>),
      // and the server refuses a body whose filter differs: so a site can only read its own downlink.
      `${hubApi}.CONSUMER.CREATE.DOWNLINK.*.downlink.v1.${site}.>`,
      `${hubApi}.CONSUMER.DELETE.DOWNLINK.>`,
      `${hubApi}.CONSUMER.INFO.DOWNLINK.>`,
      `${hubApi}.STREAM.INFO.DOWNLINK`,
      // Flow-control answers, and replies to JetStream API calls between the two servers (sourcing
      // sets its consumers up with `$JSC.R.<random>` reply subjects; no `_INBOX.>` either way).
      '$JS.FC.>',
      '$JSC.R.*',
    ],
    subscribe: [`$JS.${site}.API.>`, `deliver.downlink.${site}.>`, `central.v1.${site}.>`, '$JS.FC.>', '$JSC.R.*'],
  };
}

const q = (s: string): string => JSON.stringify(s);
const list = (xs: string[]): string => `[${xs.map(q).join(', ')}]`;
const perms = (p: Permissions): string => `permissions: { publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} } }`;

const HEADER = (what: string, now: Date) =>
  `# ${what}: rendered by \`npm run provision\` at ${now.toISOString()} from its registry.\n` +
  '# Only identities that are neither revoked nor expired are here; render again (and reload the\n' +
  '# server: nats-server --signal reload, or SIGHUP) to drop the ones that expired since.\n';

/** The site's nats-server: its services (everything on the site server) and its gateways. */
export function renderSiteAuth(reg: IdentityRegistry, site: string, now: Date): string {
  const s = reg.sites.find((x) => x.site === site);
  if (!s) throw new Error(`no site ${site} in the registry`);
  const users: string[] = [];
  if (isActive(s, now)) {
    // The site server holds only this site's data; its own services may use all of it.
    users.push(`    # ${site}: the site's services (twin, predictor, maintenance, console)\n    { nkey: ${q(s.servicesNkey)}, ${perms({ publish: ['>'], subscribe: ['>'] })}, allowed_connection_types: ["STANDARD"] }`);
  }
  for (const g of reg.gateways.filter((x) => x.site === site && isActive(x, now))) users.push(renderGateway(g));
  return `${HEADER(`Clients of site ${site}'s nats-server`, now)}authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`;
}

function renderGateway(g: GatewayIdentity): string {
  const p = perms(gatewayPermissions(g.site, g.gateway));
  if (g.transport === 'mqtt') {
    // MQTT clients in nats-server 2.9 authenticate by user and password only; the hash is bcrypt.
    return `    # gateway ${g.gateway} (MQTT), expires ${g.expiresAt}\n    { user: ${q(g.mqttUser!)}, password: ${q(g.mqttPasswordHash!)}, ${p}, allowed_connection_types: ["MQTT"] }`;
  }
  return `    # gateway ${g.gateway} (NATS), expires ${g.expiresAt}\n    { nkey: ${q(g.nkey!)}, ${p}, allowed_connection_types: ["STANDARD"] }`;
}

/**
 * The hub: the central services, and one leaf user per site, matched by the subject of the site's
 * certificate (leafnodes tls verify_and_map). LEAFNODE only: these users have no password, so on
 * the client port they must not exist at all.
 */
export function renderHubAuth(reg: IdentityRegistry, hub: HubIdentity, now: Date): string {
  const users = [`    # the central services (asset platform)\n    { nkey: ${q(hub.platformNkey)}, ${perms({ publish: ['>'], subscribe: ['>'] })}, allowed_connection_types: ["STANDARD"] }`];
  for (const s of reg.sites.filter((x: SiteIdentity) => isActive(x, now))) {
    users.push(`    # site ${s.site}'s leaf link, certificate expires ${s.expiresAt}\n    { user: ${q(s.leafCertSubject)}, ${perms(siteLeafPermissions(s.site, hub.domain))}, allowed_connection_types: ["LEAFNODE"] }`);
  }
  return `${HEADER('Clients and sites of the central hub', now)}authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`;
}
