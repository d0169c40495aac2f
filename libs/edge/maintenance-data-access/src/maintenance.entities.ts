import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'replacement_order' })
@Index('idx_order_state', ['state', 'updatedAt'])
export class ReplacementOrderEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) site!: string;
  @Column({ type: 'text' }) asset!: string;
  @Column({ name: 'asset_class', type: 'text' }) assetClass!: string;
  @Column({ name: 'part_number', type: 'text' }) partNumber!: string;
  @Column({ type: 'text' }) supplier!: string;
  @Column({ type: 'integer' }) quantity!: number;
  @Column({ name: 'unit_cost', type: 'real' }) unitCost!: number;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'integer' }) episode!: number;
  @Column({ type: 'text' }) state!: string;
  /** 1 while the order is not in a terminal state: the partial unique index keys on it. */
  @Column({ name: 'is_open', type: 'integer' }) isOpen!: number;
  @Column({ name: 'needed_by', type: 'integer' }) neededBy!: number;
  @Column({ name: 'supplier_order_id', type: 'text', nullable: true }) supplierOrderId!: string | null;
  @Column({ type: 'text' }) audit!: string;
  @Column({ name: 'created_at', type: 'integer' }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'integer' }) updatedAt!: number;
}

/** Work that must happen after a commit (placing at the supplier, publishing an event), written in the same transaction. */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'order_id', type: 'text' }) orderId!: string;
  @Column({ type: 'text' }) payload!: string;
  @Column({ type: 'integer' }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'integer' }) nextAttemptAt!: number;
  @Column({ name: 'claimed_until', type: 'integer' }) claimedUntil!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
}

@Entity({ name: 'replacement_policy' })
export class ReplacementPolicyEntity {
  @PrimaryColumn({ name: 'asset_class', type: 'text' }) assetClass!: string;
  @Column({ type: 'text' }) policy!: string;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'updated_at', type: 'integer' }) updatedAt!: number;
}

/** Current failure episode per asset and part; installing the part starts the next one. */
@Entity({ name: 'asset_episode' })
export class AssetEpisodeEntity {
  @PrimaryColumn({ type: 'text' }) site!: string;
  @PrimaryColumn({ type: 'text' }) asset!: string;
  @PrimaryColumn({ name: 'part_number', type: 'text' }) partNumber!: string;
  @Column({ type: 'integer' }) episode!: number;
}
