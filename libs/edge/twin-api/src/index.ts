export * from './twin-api.module';
export * from './api-error.filter';
export * from './desired-state.service';
export * from './twin.dto';
