import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per asset; JSON columns hold the twin's sections (SQLite has no native JSON type). */
@Entity({ name: 'asset_twin' })
export class AssetTwinEntity {
  @PrimaryColumn({ type: 'text' }) site!: string;
  @PrimaryColumn({ type: 'text' }) asset!: string;
  @Column({ name: 'asset_class', type: 'text', nullable: true }) assetClass!: string | null;
  @Column({ type: 'text', default: '{}' }) reported!: string;
  @Column({ type: 'text', default: '{}' }) desired!: string;
  @Column({ type: 'text', default: '{}' }) derived!: string;
  @Column({ type: 'integer', default: 0 }) version!: number;
  @Column({ name: 'last_seq', type: 'integer', default: -1 }) lastSeq!: number;
  @Column({ name: 'last_seen_at', type: 'integer', nullable: true }) lastSeenAt!: number | null;
  /** Written by earlier releases and by the down migration to the reading log; counts now live in history_summary. */
  @Column({ name: 'history_count', type: 'integer', default: 0 }) historyCount!: number;
  @Column({ name: 'created_at', type: 'integer' }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'integer' }) updatedAt!: number;
}
