import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Recent readings per asset, for predictions and charts. Values are packed as little-endian float64
 * in the order of a sensor set (a list of names stored once), which is ~3x smaller than JSON text.
 */
@Entity({ name: 'reading_history', withoutRowid: true })
export class ReadingHistoryEntity {
  @PrimaryColumn({ type: 'text' }) site!: string;
  @PrimaryColumn({ type: 'text' }) asset!: string;
  @PrimaryColumn({ type: 'integer' }) seq!: number;
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
