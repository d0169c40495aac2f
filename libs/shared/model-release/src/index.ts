export * from './release-layout';
export * from './ed25519.keys';
export * from './card.signature';
export * from './model-bundle.reader';
export * from './model-release.publisher';
export * from './release-bundle';
export * from './sha256';
