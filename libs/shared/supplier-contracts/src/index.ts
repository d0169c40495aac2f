export * from './supplier-api.contract';
export * from './supplier-order.validator';
