import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ReportedValue } from '@millwright/contracts';
import { desiredDelta, type AssetTwin, type JsonObject } from '@millwright/twin-domain';

export class ReportedValueDto implements ReportedValue {
  @ApiProperty({ description: 'Latest value' }) v!: number;
  @ApiProperty({ description: 'Measurement time, epoch ms' }) ts!: number;
  @ApiProperty({ description: 'Gateway sequence number of the reading that set it' }) seq!: number;
}

export class TwinDto {
  @ApiProperty() site!: string;
  @ApiProperty() asset!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) assetClass!: string | null;
  @ApiProperty({ description: 'Grows by one with every change; also the ETag' }) version!: number;
  @ApiProperty({ description: 'Highest gateway sequence number applied; -1 before the first reading' }) lastSeq!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Time of the newest reading, epoch ms' }) lastSeenAt!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ReportedValueDto' }, description: 'Sensor name to latest value' })
  reported!: Record<string, ReportedValueDto>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What people or the central platform want the asset to be' }) desired!: JsonObject;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Desired fields not yet matched by reported values' }) delta!: JsonObject;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Predictions and health, written by the edge analytics' }) derived!: JsonObject;
  @ApiProperty() createdAt!: number;
  @ApiProperty() updatedAt!: number;

  static of(t: AssetTwin): TwinDto {
    return {
      site: t.site,
      asset: t.asset,
      assetClass: t.assetClass,
      version: t.version,
      lastSeq: t.lastSeq,
      lastSeenAt: t.lastSeenAt,
      reported: t.reported,
      desired: t.desired,
      delta: desiredDelta(t.desired, t.reported),
      derived: t.derived,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }
}

export class TwinPageDto {
  @ApiProperty({ type: [TwinDto] }) items!: TwinDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as `after` to get the next page; null on the last page' }) next!: string | null;
}

export class HistoryPointDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ description: 'Measurement time, epoch ms' }) ts!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) values!: Record<string, number>;
}

export class HistoryPageDto {
  @ApiProperty() site!: string;
  @ApiProperty() asset!: string;
  @ApiProperty({ type: [HistoryPointDto], description: 'Oldest first' }) points!: HistoryPointDto[];
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Pass as `before` for older points; null when there are none' }) before!: number | null;
}

export class ApiErrorDto {
  @ApiProperty({ description: 'Machine-readable error code' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
}
