export * from './order.planner';
export * from './order-actions.service';
export * from './outbox.relay';
export * from './prediction.follower';
export * from './orders.http.controller';
export * from './maintenance.module';
export * from './policy.seeder';
