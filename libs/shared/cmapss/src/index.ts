export * from './cmapss.schema';
export * from './cmapss.parser';
export * from './seeded.rng';
export * from './fleet-profile.schema';
export * from './fleet-profile.fitter';
export * from './fleet-profile.loader';
export * from './synthetic-engine.generator';
