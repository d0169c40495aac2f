// Two projects: `unit` runs next to the code in libs/ and apps/ (pure logic, plus adapters against
// real SQLite files and a real nats-server where a spec needs one); `system` drives the built
// services as separate processes from test/ (crash tests, MQTT, end-to-end flows).
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const transform = {
  '^.+\\.(ts|js|mjs)$': [
    '@swc/jest',
    {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
    },
  ],
};
// NestJS 12 ships ES modules only. Node 20.19 loads them through require(), Jest's runtime does not,
// so Jest compiles them to CommonJS like our own sources.
const transformIgnorePatterns = ['/node_modules/(?!@nestjs/)'];
const common = { rootDir: __dirname, testEnvironment: '<rootDir>/libs/shared/testing/jest/onnxruntime.environment.ts', transform, transformIgnorePatterns, moduleNameMapper, moduleFileExtensions: ['ts', 'js', 'mjs', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'] },
    { ...common, displayName: 'system', testMatch: ['<rootDir>/test/**/*.spec.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/jest.setup.ts'] },
  ],
};
