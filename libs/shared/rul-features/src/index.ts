export * from './model-card.schema';
export * from './sensor.normaliser';
export * from './rul-window.builder';
export * from './rul-target.labeler';
export * from './rul.metrics';
export * from './failure-risk.rule';
export * from './cmapss-reading.adapter';
