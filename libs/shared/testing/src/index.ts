export * from './ports';
export * from './temp-dir';
export * from './wait-for';
export * from './repo-root';
export * from './child-process';
export * from './nats-server.harness';
export * from './nats-topology.harness';
export * from './postgres.harness';
