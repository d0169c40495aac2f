import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { makeTempDir, repoRoot, type TempDir } from '@millwright/testing';
import { readRegistry } from './identity.registry';
import { gatewayPermissions, siteLeafPermissions } from './nats-auth.renderer';
import { provisionGateway, provisionSite, render, revoke } from './provision.commands';

describe('provisioning identities', () => {
  let dir: TempDir;
  beforeEach(() => (dir = makeTempDir('mw-provision-')));
  afterEach(() => dir.remove());

  it('issues a site with a CA-signed leaf certificate and renders both auth files without secrets', () => {
    const out = provisionSite({ out: dir.path }, 'plant-1');
    expect(out).toContain('NATS_LEAF_TLS_CERT=');
    const reg = readRegistry(join(dir.path, 'registry.json'));
    expect(reg.sites[0]).toMatchObject({ site: 'plant-1', leafCertSubject: 'CN=site-plant-1,O=Millwright' });
    const seed = readFileSync(join(dir.path, 'sites/plant-1/services.nk'), 'utf8').trim();
    expect(seed).toMatch(/^SU/);
    expect(statSync(join(dir.path, 'sites/plant-1/services.nk')).mode & 0o077).toBe(0);
    expect(statSync(join(dir.path, 'sites/plant-1/leaf-tls.key')).mode & 0o077).toBe(0);
    const hubAuth = readFileSync(join(dir.path, 'hub/nats-auth.conf'), 'utf8');
    expect(hubAuth).toContain('"CN=site-plant-1,O=Millwright"');
    expect(hubAuth).toContain('allowed_connection_types: ["LEAFNODE"]');
    for (const f of ['registry.json', 'hub/nats-auth.conf', 'sites/plant-1/nats-auth.conf']) expect(readFileSync(join(dir.path, f), 'utf8')).not.toContain(seed);
  });

  it('gives an MQTT gateway a password whose bcrypt hash alone is in the config', () => {
    provisionSite({ out: dir.path }, 'plant-1');
    provisionGateway({ out: dir.path }, 'plant-1', 'gw-2', { mqtt: true });
    const password = /MQTT_PASSWORD=(.+)/.exec(readFileSync(join(dir.path, 'sites/plant-1/gateways/gw-2.mqtt'), 'utf8'))![1];
    const auth = readFileSync(join(dir.path, 'sites/plant-1/nats-auth.conf'), 'utf8');
    expect(auth).not.toContain(password);
    const hash = /user: "plant-1.gw-2", password: "([^"]+)"/.exec(auth)![1];
    expect(bcrypt.compareSync(password, hash)).toBe(true);
    expect(auth).toContain('allowed_connection_types: ["MQTT"]');
  });

  it('drops revoked and expired identities when it renders', () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    provisionSite({ out: dir.path, now: t0 }, 'plant-1');
    provisionGateway({ out: dir.path, now: t0 }, 'plant-1', 'short', { lifetime: '1h' });
    provisionGateway({ out: dir.path, now: t0 }, 'plant-1', 'gone');
    provisionGateway({ out: dir.path, now: t0 }, 'plant-1', 'kept');
    revoke({ out: dir.path, now: t0 }, 'plant-1', 'gone');
    render({ out: dir.path, now: new Date(t0.getTime() + 2 * 3_600_000) });
    const auth = readFileSync(join(dir.path, 'sites/plant-1/nats-auth.conf'), 'utf8');
    expect(auth).toContain('gateway kept');
    expect(auth).not.toContain('gateway short');
    expect(auth).not.toContain('gateway gone');
    revoke({ out: dir.path, now: t0 }, 'plant-1');
    expect(readFileSync(join(dir.path, 'hub/nats-auth.conf'), 'utf8')).not.toContain('site-plant-1');
  });

  it('refuses ids that are not subject tokens, and a second live identity of the same name', () => {
    expect(() => provisionSite({ out: dir.path }, 'plant.1')).toThrow(/subject token/);
    provisionSite({ out: dir.path }, 'plant-1');
    expect(() => provisionSite({ out: dir.path }, 'plant-1')).toThrow(/already/);
    expect(() => provisionGateway({ out: dir.path }, 'plant-9', 'gw-1')).toThrow(/not provisioned/);
  });

  it('limits a gateway to its own site, and a site link to its own sourcing subjects', () => {
    expect(gatewayPermissions('plant-1', 'gw-1').publish).toEqual(['telemetry.v1.plant-1.*', 'telemetry.v1.plant-1.gw-1.batch']);
    const leaf = siteLeafPermissions('plant-1', 'hub');
    expect([...leaf.publish, ...leaf.subscribe].filter((s) => /plant-2|sync\.v1|order\./.test(s))).toEqual([]);
    expect(leaf.publish).toContain('deliver.sync.plant-1.>');
    expect(leaf.subscribe).toContain('deliver.downlink.plant-1.>');
    expect(leaf.publish.filter((s) => s.includes('CONSUMER.CREATE'))).toEqual(['$JS.hub.API.CONSUMER.CREATE.DOWNLINK.*.downlink.v1.plant-1.>']);
  });

  it('keeps the secure leaf remote denying what the plain one denies', () => {
    const denies = (f: string) => readFileSync(join(repoRoot(), 'config/nats', f), 'utf8').match(/deny_(ex|im)ports: \[.*\]/g);
    expect(denies('nats-leaf-secure.conf')).toEqual(denies('nats-leaf.conf'));
  });
});
