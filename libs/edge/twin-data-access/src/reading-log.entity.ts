import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A small integer per asset, so that history rows and their index carry 8 bytes of key instead of
 * the site and asset names.
 */
@Entity({ name: 'asset_key' })
@Index(['site', 'asset'], { unique: true })
export class AssetKeyEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'text' }) site!: string;
  @Column({ type: 'text' }) asset!: string;
}

/**
 * Recent readings of every asset, in one append-ordered log (rowid = arrival order). Values are
 * packed as little-endian float64 in the order of a sensor set (a list of names stored once).
 *
 * Why a log and not rows clustered by asset: a batch spreads over thousands of assets, and with
 * rows clustered per asset every reading dirtied a page of its own, so each commit wrote megabytes
 * to the WAL. Appended rows fill the last pages; only the small (asset, seq) index is spread. See
 * `npm run bench -- ingest` and the README's "Twin store layout".
 */
@Entity({ name: 'reading_log' })
@Index(['assetId', 'seq'], { unique: true })
export class ReadingLogEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'asset_id', type: 'integer' }) assetId!: number;
  @Column({ type: 'integer' }) seq!: number;
  @Column({ type: 'integer' }) ts!: number;
  @Column({ name: 'sensor_set', type: 'integer' }) sensorSet!: number;
  @Column({ type: 'blob' }) vals!: Buffer;
}

@Entity({ name: 'sensor_set' })
export class SensorSetEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  /** Comma-separated sensor names, in value order. */
  @Column({ type: 'text', unique: true }) names!: string;
}
