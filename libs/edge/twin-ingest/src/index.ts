export * from './ingest-batch.processor';
export * from './telemetry-ingest.options';
export * from './telemetry-stream.config';
export * from './telemetry-ingest.service';
export * from './history-retention.service';
export * from './twin-ingest.module';
export * from './prediction-ingest.service';
export * from './twin-changed.publisher';
