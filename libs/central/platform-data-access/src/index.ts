export * from './platform.entities';
export * from './platform.data-source';
export * from './platform.store';
export * from './platform-data-access.module';
