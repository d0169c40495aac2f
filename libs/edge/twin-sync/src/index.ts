export * from './twin-snapshot';
export * from './twin-sync.options';
export * from './twin-outbox.service';
export * from './desired-downlink.service';
export * from './site-health.reporter';
export * from './twin-sync.module';
