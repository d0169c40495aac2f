import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ReportedValue } from '@millwright/contracts';

/** The twin row as a first version would model it: one entity, the reported state as a JSON column. */
@Entity({ name: 'naive_twin' })
export class NaiveTwinEntity {
  @PrimaryColumn({ type: 'text' }) site!: string;
  @PrimaryColumn({ type: 'text' }) asset!: string;
  @Column({ type: 'simple-json' }) reported!: Record<string, ReportedValue>;
  @Column({ type: 'integer', default: 0 }) version!: number;
  @Column({ name: 'last_seq', type: 'integer', default: -1 }) lastSeq!: number;
  @Column({ name: 'updated_at', type: 'integer' }) updatedAt!: number;
}
