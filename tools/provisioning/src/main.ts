import { API_ROLES, newApiToken, type ApiRole } from '@millwright/http-auth';
import { provisionGateway, provisionHub, provisionSite, render, revoke } from './provision.commands';

const USAGE = `usage: npm run provision -- <command> [arguments] [--out DIR]
  hub [--domain hub] [--host NAME ...]     the private CA, the hub's leaf certificate (for each --host) and
                                           the central services' nkey (done by the first 'site' otherwise)
  site SITE [--lifetime 365d]              a site: leaf certificate from the private CA, its services' nkey
  gateway SITE GATEWAY [--mqtt] [--lifetime 365d]
                                           a gateway of SITE: an nkey, or an MQTT user and password (--mqtt)
  revoke SITE [GATEWAY]                    revoke a gateway, or a whole site with its gateways
  render                                   write every nats-auth.conf again (drops what expired since)
  api-token NAME ROLE                      a bearer token for the HTTP APIs (role viewer, technician or admin):
                                           prints the token (hand it over once) and the API_TOKENS entry
Everything goes to --out (default ./data/identities): registry.json (public keys and hashes only), ca/,
hub/, sites/<site>/. Secrets (seeds, keys, MQTT passwords) are files there, mode 0600: hand them over
through your secrets tooling and never commit them. After every change reload the affected nats-server.`;

interface Parsed {
  positional: string[];
  options: Record<string, string[]>;
  flags: Set<string>;
}

const FLAGS = new Set(['mqtt']);

function parse(argv: readonly string[]): Parsed {
  const r: Parsed = { positional: [], options: {}, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      r.positional.push(a);
      continue;
    }
    const name = a.slice(2);
    if (FLAGS.has(name)) {
      r.flags.add(name);
      continue;
    }
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
    (r.options[name] ??= []).push(v);
  }
  return r;
}

function main(argv: string[]): void {
  const a = parse(argv);
  const [command, ...args] = a.positional;
  const ctx = { out: a.options.out?.at(-1) ?? 'data/identities' };
  const lifetime = a.options.lifetime?.at(-1);
  const need = (n: number, what: string) => {
    if (args.length !== n) throw new Error(`${command} takes ${what}`);
  };
  switch (command) {
    case 'hub':
      need(0, 'no arguments');
      console.log(provisionHub(ctx, { domain: a.options.domain?.at(-1), hosts: a.options.host }));
      return;
    case 'site':
      need(1, 'SITE');
      console.log(provisionSite(ctx, args[0], { lifetime }));
      return;
    case 'gateway':
      need(2, 'SITE GATEWAY');
      console.log(provisionGateway(ctx, args[0], args[1], { mqtt: a.flags.has('mqtt'), lifetime }));
      return;
    case 'revoke':
      if (args.length < 1 || args.length > 2) throw new Error('revoke takes SITE [GATEWAY]');
      console.log(revoke(ctx, args[0], args[1]));
      return;
    case 'api-token': {
      need(2, 'NAME ROLE');
      if (!(API_ROLES as readonly string[]).includes(args[1])) throw new Error(`role must be one of ${API_ROLES.join(', ')}`);
      const t = newApiToken(args[0], args[1] as ApiRole);
      console.log(`token (give it to the client, e.g. its API_CLIENT_TOKEN; it is not stored anywhere):\n  ${t.token}\nentry for the services' API_TOKENS / API_TOKENS_FILE Secret:\n  ${t.entry}`);
      return;
    }
    case 'render':
      need(0, 'no arguments');
      console.log(render(ctx));
      return;
    default:
      throw new Error(command ? `unknown command ${command}` : 'no command');
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(`${(e as Error).message}\n\n${USAGE}`);
  process.exit(1);
}
