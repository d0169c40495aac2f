export * from './maintenance.entities';
export * from './maintenance.data-source';
export * from './maintenance.sqlite-store';
