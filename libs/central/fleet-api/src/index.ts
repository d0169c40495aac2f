export * from './fleet.dto';
export * from './fleet-api.module';
