export * from './error-codes';
export * from './limits';
export * from './subjects';
export * from './telemetry.schema';
export * from './dead-letter.schema';
export * from './twin-events.schema';
export * from './prediction.schema';
export * from './order-events.schema';
