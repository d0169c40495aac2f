import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row: every twin row and history chunk holds the effect of every twin_log entry up to `logId`;
 * the store applies the entries after it again on open (see TwinSqliteStore). `chunkId`: chunks up
 * to it hold no reading logged after `logId`, so recovery looks for already chunked readings only
 * in later chunks.
 */
@Entity({ name: 'twin_checkpoint' })
export class TwinCheckpointEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'log_id', type: 'integer' }) logId!: number;
  @Column({ name: 'chunk_id', type: 'integer' }) chunkId!: number;
}
