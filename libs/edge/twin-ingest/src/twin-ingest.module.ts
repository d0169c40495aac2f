import { Module, type DynamicModule } from '@nestjs/common';
import { HISTORY_RETENTION_OPTIONS, HistoryRetentionService, type HistoryRetentionOptions } from './history-retention.service';
import { TELEMETRY_INGEST_OPTIONS, type TelemetryIngestOptions } from './telemetry-ingest.options';
import { TelemetryIngestService } from './telemetry-ingest.service';
import { PredictionIngestService } from './prediction-ingest.service';

/** Telemetry and predictions from JetStream into the twin store. Needs NatsConnectionModule, ObservabilityModule and the twin store. */
@Module({})
export class TwinIngestModule {
  static forRoot(o: { ingest: TelemetryIngestOptions; retention: HistoryRetentionOptions }): DynamicModule {
    return {
      module: TwinIngestModule,
      providers: [
        { provide: TELEMETRY_INGEST_OPTIONS, useValue: o.ingest },
        { provide: HISTORY_RETENTION_OPTIONS, useValue: o.retention },
        TelemetryIngestService,
        PredictionIngestService,
        HistoryRetentionService,
      ],
      exports: [TelemetryIngestService],
    };
  }
}
