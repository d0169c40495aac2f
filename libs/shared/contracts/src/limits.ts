/** Hard limits of the v1 telemetry contract; gateways must stay inside them. */
export const TelemetryLimits = {
  /** Largest message accepted, single or batch. */
  maxPayloadBytes: 512 * 1024,
  maxBatchReadings: 1000,
  maxValuesPerReading: 128,
  maxIdLength: 64,
  maxUnitLength: 16,
  /** Readings stamped further ahead than this are refused: a gateway clock that far off corrupts ordering. */
  maxFutureSkewMs: 5 * 60 * 1000,
  /** 2000-01-01T00:00:00Z: anything older is a clock that was never set. */
  minTimestampMs: 946_684_800_000,
} as const;

/** Limits on desired state, after AWS IoT shadow's (8 KB, 6 levels), which users already design for. */
export const DesiredStateLimits = {
  maxBytes: 8 * 1024,
  maxDepth: 6,
} as const;
