import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row: twin rows hold the effect of every reading_log row up to `logId`; the store replays the
 * rows after it on open (twin rows are written behind the log, see TwinSqliteStore).
 */
@Entity({ name: 'twin_checkpoint' })
export class TwinCheckpointEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'log_id', type: 'integer' }) logId!: number;
}
