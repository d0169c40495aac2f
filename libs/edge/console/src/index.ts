export * from './asset-board';
export * from './audit.log';
export * from './console-users';
export * from './console.module';
export * from './console.options';
export * from './console-ui.static';
export * from './fleet.http.controller';
export * from './session.tokens';
