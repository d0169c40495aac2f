import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MaintenanceSqliteStore } from '@millwright/maintenance-data-access';
import { checkReplacementPolicy } from '@millwright/maintenance-domain';

export const POLICIES_FILE = Symbol('POLICIES_FILE');

/**
 * Loads the policies shipped with the site at start. A policy that already exists is left alone:
 * what staff (or, later, the central platform) changed must survive a restart.
 */
@Injectable()
export class PolicySeeder implements OnApplicationBootstrap {
  private readonly log = new Logger(PolicySeeder.name);

  constructor(
    private readonly store: MaintenanceSqliteStore,
    @Inject(POLICIES_FILE) private readonly file: string,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.file) return;
    const list = JSON.parse(readFileSync(this.file, 'utf8')) as unknown[];
    if (!Array.isArray(list)) throw new Error(`${this.file} must hold a JSON array of policies`);
    for (const raw of list) {
      const r = checkReplacementPolicy(raw);
      if (!r.ok) throw new Error(`${this.file}: ${r.field} must be ${r.what}`);
      const p = r.policy;
      if (this.store.policy(p.assetClass)) continue;
      this.store.upsertPolicy(p, Date.now());
      this.log.log(`policy for ${p.assetClass} loaded from ${this.file}`);
    }
  }
}
