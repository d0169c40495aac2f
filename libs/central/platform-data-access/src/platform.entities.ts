import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText } from './column.transformers';

/** An edge site known to the central platform, with what it last said about itself. */
@Entity({ name: 'site' })
export class SiteEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  /** The site's JetStream domain: the hub sources its outbox through `$JS.<domain>.API`. */
  @Column({ type: 'varchar', length: 64 }) domain!: string;
  @Column({ name: 'registered_at', type: 'bigint', transformer: bigintAsNumber }) registeredAt!: number;
  /** Highest sequence of the site's outbox applied here; the edge's backlog is what lies beyond. */
  @Column({ name: 'applied_outbox_seq', type: 'bigint', default: 0, transformer: bigintAsNumber }) appliedOutboxSeq!: number;
  @Column({ name: 'last_health', type: 'text', nullable: true, transformer: jsonText }) lastHealth!: Record<string, unknown> | null;
  @Column({ name: 'last_health_at', type: 'bigint', nullable: true, transformer: bigintAsNumber }) lastHealthAt!: number | null;
  @Column({ name: 'last_synced_at', type: 'bigint', nullable: true, transformer: bigintAsNumber }) lastSyncedAt!: number | null;
}

/**
 * The central copy of an edge twin. Reported and derived state come from the edge (applied exactly
 * once by version); desired state is owned here. Prediction fields are lifted out of `derived` into
 * columns so that fleet queries can filter and sort on them with indexes.
 */
@Entity({ name: 'central_twin' })
@Index('idx_central_twin_health', ['health', 'site', 'asset'])
@Index('idx_central_twin_rul', ['rul'])
@Index('idx_central_twin_last_seen', ['lastSeenAt'])
@Index('idx_central_twin_class', ['assetClass', 'site', 'asset'])
export class CentralTwinEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) site!: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) asset!: string;
  @Column({ name: 'asset_class', type: 'varchar', length: 64, nullable: true }) assetClass!: string | null;
  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber }) version!: number;
  @Column({ name: 'last_seq', type: 'bigint', default: -1, transformer: bigintAsNumber }) lastSeq!: number;
  /** Sensor to [value, measurement time, gateway seq]. */
  @Column({ type: 'text', transformer: jsonText }) reported!: Record<string, [number, number, number]>;
  @Column({ type: 'text', transformer: jsonText }) derived!: Record<string, unknown>;
  @Column({ type: 'text', transformer: jsonText }) metadata!: Record<string, unknown>;
  @Column({ type: 'text', transformer: jsonText }) desired!: Record<string, unknown>;
  @Column({ name: 'desired_version', type: 'bigint', default: 0, transformer: bigintAsNumber }) desiredVersion!: number;
  /** Desired versions up to this one are in the hub's downlink; a larger desiredVersion is still owed to the site. */
  @Column({ name: 'desired_published_version', type: 'bigint', default: 0, transformer: bigintAsNumber }) desiredPublishedVersion!: number;
  @Column({ type: 'varchar', length: 16, nullable: true }) health!: string | null;
  @Column({ type: 'double precision', nullable: true }) rul!: number | null;
  @Column({ name: 'failure_risk', type: 'double precision', nullable: true }) failureRisk!: number | null;
  @Column({ name: 'model_version', type: 'varchar', length: 64, nullable: true }) modelVersion!: string | null;
  @Column({ name: 'last_seen_at', type: 'bigint', nullable: true, transformer: bigintAsNumber }) lastSeenAt!: number | null;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber }) updatedAt!: number;
}

/** The central copy of an asset nobody has heard of yet: nothing reported, desired state empty. */
export function newCentralTwinEntity(site: string, asset: string, now: number): CentralTwinEntity {
  return Object.assign(new CentralTwinEntity(), {
    site,
    asset,
    assetClass: null,
    version: 0,
    lastSeq: -1,
    reported: {},
    derived: {},
    metadata: {},
    desired: {},
    desiredVersion: 0,
    desiredPublishedVersion: 0,
    health: null,
    rul: null,
    failureRisk: null,
    modelVersion: null,
    lastSeenAt: null,
    updatedAt: now,
  });
}

/** A desired field both sides changed during an outage; the edge merged it and reported it. */
@Entity({ name: 'desired_conflict' })
@Index('idx_desired_conflict_asset', ['site', 'asset'])
export class DesiredConflictEntity {
  /** `<site>/<asset>/<central version>/<field>`: a redelivered report records nothing twice. */
  @PrimaryColumn({ type: 'varchar', length: 400 }) id!: string;
  @Column({ type: 'varchar', length: 64 }) site!: string;
  @Column({ type: 'varchar', length: 64 }) asset!: string;
  @Column({ type: 'varchar', length: 200 }) field!: string;
  @Column({ type: 'text', transformer: jsonText }) base!: unknown;
  @Column({ type: 'text', transformer: jsonText }) edge!: unknown;
  @Column({ type: 'text', transformer: jsonText }) central!: unknown;
  @Column({ type: 'varchar', length: 16 }) kept!: string;
  @Column({ name: 'central_version', type: 'bigint', transformer: bigintAsNumber }) centralVersion!: number;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) at!: number;
}

/** The newest state of a site's replacement order, from the site's order events. */
@Entity({ name: 'site_order' })
@Index('idx_site_order_site', ['site', 'state'])
export class SiteOrderEntity {
  @PrimaryColumn({ name: 'order_id', type: 'varchar', length: 100 }) orderId!: string;
  @Column({ type: 'varchar', length: 64 }) site!: string;
  @Column({ type: 'varchar', length: 64 }) asset!: string;
  @Column({ name: 'part_number', type: 'varchar', length: 100 }) partNumber!: string;
  @Column({ type: 'varchar', length: 32 }) state!: string;
  /** Step of the newest event applied; older or repeated events change nothing. */
  @Column({ type: 'integer' }) step!: number;
  @Column({ name: 'supplier_order_id', type: 'varchar', length: 100, nullable: true }) supplierOrderId!: string | null;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber }) updatedAt!: number;
  @Column({ name: 'last_event', type: 'text', transformer: jsonText }) lastEvent!: Record<string, unknown>;
}

/** A replacement policy the central side sets for one asset class at one site; sent down like desired state. */
@Entity({ name: 'site_policy' })
export class SitePolicyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) site!: string;
  @PrimaryColumn({ name: 'asset_class', type: 'varchar', length: 64 }) assetClass!: string;
  @Column({ type: 'text', transformer: jsonText }) policy!: Record<string, unknown>;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) version!: number;
  @Column({ name: 'published_version', type: 'bigint', default: 0, transformer: bigintAsNumber }) publishedVersion!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber }) updatedAt!: number;
  @Column({ name: 'updated_by', type: 'varchar', length: 100 }) updatedBy!: string;
}



/** A signed model released to sites in stages; its files stay in the hub's object store. */
@Entity({ name: 'model_release' })
export class ModelReleaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 }) version!: string;
  @Column({ type: 'varchar', length: 64 }) sha256!: string;
  /** Site groups in order; the first is the canary. */
  @Column({ type: 'text', transformer: jsonText }) stages!: string[][];
  @Column({ name: 'shadow_ms', type: 'bigint', transformer: bigintAsNumber }) shadowMs!: number;
  @Column({ name: 'max_disagreement', type: 'double precision' }) maxDisagreement!: number;
  /** `rolling_out`, `completed` or `halted`. */
  @Column({ type: 'varchar', length: 16 }) state!: string;
  /** Index of the stage released last (-1 before the first). */
  @Column({ name: 'current_stage', type: 'integer' }) currentStage!: number;
  @Column({ name: 'halt_reason', type: 'text', nullable: true }) haltReason!: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber }) createdAt!: number;
  @Column({ name: 'created_by', type: 'varchar', length: 100 }) createdBy!: string;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber }) updatedAt!: number;
}

/** Where one release stands at one site, as the site last reported it. */
@Entity({ name: 'model_release_site' })
@Index('idx_model_release_site_owed', ['state', 'sentAt'])
export class ModelReleaseSiteEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 }) version!: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) site!: string;
  @Column({ type: 'integer' }) stage!: number;
  /** `waiting` (its stage has not begun), `pending` (sent or owed), `shadow`, `promoted`, `rolled_back`. */
  @Column({ type: 'varchar', length: 16 }) state!: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) code!: string | null;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text', nullable: true, transformer: jsonText }) stats!: Record<string, unknown> | null;
  @Column({ name: 'active_version', type: 'varchar', length: 128, nullable: true }) activeVersion!: string | null;
  /** When the release went into the hub's downlink for the site; null while `pending` means still owed. */
  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: bigintAsNumber }) sentAt!: number | null;
  /** Edge time of the newest report applied: an older report arriving late changes nothing. */
  @Column({ name: 'reported_at', type: 'bigint', nullable: true, transformer: bigintAsNumber }) reportedAt!: number | null;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber }) updatedAt!: number;
}

export const PLATFORM_ENTITIES = [SiteEntity, CentralTwinEntity, DesiredConflictEntity, SiteOrderEntity, SitePolicyEntity, ModelReleaseEntity, ModelReleaseSiteEntity];
