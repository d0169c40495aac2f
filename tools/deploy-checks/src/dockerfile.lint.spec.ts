import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lintDockerfile, lintDockerignore } from './dockerfile.lint';
import { APP_PORTS } from './dockerfile.template';

const root = join(__dirname, '..', '..', '..');
// Each app's ports: the same table the Dockerfiles are rendered from (dockerfile.template.ts).
const APPS = APP_PORTS;

describe('Dockerfiles', () => {
  it('exist for every app folder', () => {
    const apps = readdirSync(join(root, 'apps')).filter((d) => existsSync(join(root, 'apps', d, 'src')) || existsSync(join(root, 'apps', d, 'Dockerfile')));
    for (const a of apps) expect([a, existsSync(join(root, 'apps', a, 'Dockerfile'))]).toEqual([a, true]);
    for (const a of Object.keys(APPS)) expect([a, existsSync(join(root, 'apps', a, 'Dockerfile'))]).toEqual([a, true]);
  });

  it.each(Object.entries(APPS))('%s: multi-stage, small base, non-root, production dependencies, no secrets', (app, ports) => {
    expect(lintDockerfile(readFileSync(join(root, 'apps', app, 'Dockerfile'), 'utf8'), { app, ports })).toEqual([]);
  });

  it('the build context leaves out state, output and secrets', () => {
    expect(lintDockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'))).toEqual([]);
  });
});

describe('Dockerfile linter', () => {
  const good = readFileSync(join(root, 'apps', 'twin-service', 'Dockerfile'), 'utf8');
  const lint = (text: string) => lintDockerfile(text, { app: 'twin-service', ports: [8080] });

  it.each([
    ['one stage', 'FROM node:20-bookworm-slim\nENV NODE_ENV=production\nUSER 1000\nCMD ["node", "dist/apps/twin-service/src/main.js"]\n', /not multi-stage/],
    ['a full base at run time', good.replace('-bookworm-slim AS runtime', '-bookworm AS runtime'), /not a small image/],
    ['an unpinned base', good.replace('node:${NODE_VERSION}-bookworm-slim', 'debian:latest'), /no pinned tag|not a small image/],
    ['root', good.replace('USER 1000:1000\n', ''), /no USER/],
    ['a user by name', good.replace('USER 1000:1000', 'USER node'), /not numeric/],
    ['dev dependencies', good.replace('npm ci --omit=dev', 'npm ci'), /does not install with --omit=dev/],
    ['a secret in ENV', good.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=production\nENV NPM_TOKEN=abc'), /NPM_TOKEN looks like a secret/],
    ['a secret file', good.replace('COPY tsconfig.base.json ./', 'COPY .env ./'), /copies \.env/],
    ['a shell-form CMD', good.replace('CMD ["node", "dist/apps/twin-service/bundle/main.js"]', 'CMD node dist/apps/twin-service/bundle/main.js'), /shell form/],
    ['another app', good.replace('CMD ["node", "dist/apps/twin-service/bundle/main.js"]', 'CMD ["node", "dist/apps/predictor/bundle/main.js"]'), /does not run node/],
    ['the wrong port', good.replace('EXPOSE 8080', 'EXPOSE 3000'), /exposes 3000/],
    ['no NODE_ENV', good.replace('ENV NODE_ENV=production\n', ''), /NODE_ENV/],
  ])('refuses %s', (_what, text, problem) => {
    expect(text).not.toBe(good);
    expect(lint(text).join('\n')).toMatch(problem);
  });

  it('reads instructions across continuation lines and comments', () => {
    const text = good.replace('RUN npm ci --omit=dev --no-audit --no-fund \\', 'RUN npm ci --no-audit --no-fund \\\n  # a comment inside\n  --omit=dev \\');
    expect(lint(text)).toEqual([]);
  });

  it('wants the build context to exclude secrets', () => {
    expect(lintDockerignore('dist\n')).toContain('.dockerignore does not exclude **/.env');
  });
});
