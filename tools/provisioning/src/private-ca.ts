import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A private certificate authority for the leaf links, driven through Debian's openssl CLI (node's
 * crypto cannot issue X.509 certificates). EC P-256 keys: small, fast on small boxes, and accepted
 * by nats-server's Go TLS stack. The CA key never leaves the provisioning folder.
 */
export class PrivateCa {
  readonly keyPath: string;
  readonly certPath: string;

  constructor(dir: string) {
    this.keyPath = join(dir, 'ca.key');
    this.certPath = join(dir, 'ca.crt');
  }

  exists(): boolean {
    return existsSync(this.keyPath) && existsSync(this.certPath);
  }

  create(days = 3650): void {
    mkdirSync(join(this.keyPath, '..'), { recursive: true, mode: 0o700 });
    openssl(['req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', this.keyPath, '-out', this.certPath, '-days', String(days), '-subj', '/O=Millwright/CN=Millwright private CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    chmodSync(this.keyPath, 0o600);
  }

  /**
   * Issues a key and certificate at `base`.key / `base`.crt. Leaf certificates carry both usages:
   * the hub's serves the leaf listener, a site's authenticates the site when it dials.
   */
  issue(base: string, o: { commonName: string; sans: string[]; days: number }): { certPath: string; keyPath: string; subject: string } {
    const keyPath = `${base}.key`;
    const certPath = `${base}.crt`;
    const csr = `${base}.csr`;
    const ext = `${base}.ext`;
    openssl(['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', keyPath, '-out', csr, '-subj', `/O=Millwright/CN=${o.commonName}`]);
    chmodSync(keyPath, 0o600);
    writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n${o.sans.length ? `subjectAltName=${o.sans.join(',')}\n` : ''}`);
    try {
      openssl(['x509', '-req', '-in', csr, '-CA', this.certPath, '-CAkey', this.keyPath, '-CAcreateserial', '-out', certPath, '-days', String(o.days), '-sha256', '-extfile', ext]);
    } finally {
      rmSync(csr, { force: true });
      rmSync(ext, { force: true });
    }
    // nats-server's verify_and_map matches the RFC 2253 form, most specific first.
    return { certPath, keyPath, subject: `CN=${o.commonName},O=Millwright` };
  }
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('openssl is not installed (Debian: apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? String(e)}`);
  }
}
