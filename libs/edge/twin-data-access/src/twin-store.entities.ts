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
 * Recent readings of one asset, several per row (`count`, up to the store's chunk size), packed as
 * reading records (reading-record.codec.ts). Rows are appended in time order; the index finds an
 * asset's chunks newest first. See ReadingHistory for why chunks and not a row per reading.
 */
@Entity({ name: 'reading_chunk' })
@Index('idx_reading_chunk_asset', ['assetId', 'lastSeq'])
export class ReadingChunkEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'asset_id', type: 'integer' }) assetId!: number;
  @Column({ name: 'first_seq', type: 'integer' }) firstSeq!: number;
  @Column({ name: 'last_seq', type: 'integer' }) lastSeq!: number;
  /** The newest measurement time in the chunk: retention by age drops whole chunks. */
  @Column({ name: 'last_ts', type: 'integer' }) lastTs!: number;
  @Column({ type: 'integer' }) count!: number;
  /** The newest twin_log entry whose readings are in this chunk (recovery skips them). */
  @Column({ name: 'max_log_id', type: 'integer' }) maxLogId!: number;
  @Column({ type: 'blob' }) body!: Buffer;
}

/** Per asset: readings in chunks and the highest seq among them (a higher one is new without a lookup). */
@Entity({ name: 'history_summary' })
export class HistorySummaryEntity {
  @PrimaryColumn({ name: 'asset_id', type: 'integer' }) assetId!: number;
  @Column({ type: 'integer' }) count!: number;
  @Column({ name: 'max_seq', type: 'integer' }) maxSeq!: number;
}

/** The twin store's write-ahead log: one row per commit (twin-log.ts). */
@Entity({ name: 'twin_log' })
export class TwinLogEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'blob' }) body!: Buffer;
}

@Entity({ name: 'sensor_set' })
export class SensorSetEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  /** Comma-separated sensor names, in value order. */
  @Column({ type: 'text', unique: true }) names!: string;
}
