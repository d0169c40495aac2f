export * from './twin-snapshot';
export * from './twin-sync.service';
export * from './twin-sync.module';
