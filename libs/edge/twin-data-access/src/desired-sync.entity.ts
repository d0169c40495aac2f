import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last central desired document the edge merged, per asset: the base of the three-way merge when
 * the next central document arrives (changes made at the edge in between survive it).
 */
@Entity({ name: 'desired_sync' })
export class DesiredSyncEntity {
  @PrimaryColumn({ type: 'text' }) site!: string;
  @PrimaryColumn({ type: 'text' }) asset!: string;
  @Column({ type: 'text', default: '{}' }) base!: string;
  @Column({ name: 'base_version', type: 'integer', default: 0 }) baseVersion!: number;
}
