export * from './platform-sync.options';
export * from './sync-message.decoder';
export * from './site-inbox.applier';
export * from './desired-downlink.publisher';
export * from './model-rollout.publisher';
export * from './site-sync.service';
export * from './platform-sync.module';
