export * from './twin-api.module';
export * from './desired-state.service';
export * from './twin.dto';
