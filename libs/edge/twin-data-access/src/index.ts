export * from './asset-twin.entity';
export * from './desired-sync.entity';
export * from './twin-store.entities';
export * from './sqlite.data-source';
export * from './twin-checkpoint.entity';
export * from './twin.sqlite-store';
export * from './twin-change.feed';
export * from './twin-data-access.module';
