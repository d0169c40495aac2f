export * from './cmapss.schema';
export * from './cmapss.parser';
