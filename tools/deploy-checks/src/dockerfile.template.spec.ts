import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile, stages } from './dockerfile.lint';
import { APP_PORTS, DOCKERFILE_SPECS, renderDockerfile } from './dockerfile.template';

const root = join(__dirname, '..', '..', '..');
const committed = (app: string) => readFileSync(join(root, 'apps', app, 'Dockerfile'), 'utf8');

describe('Dockerfile template', () => {
  it('has one spec per app folder', () => {
    const apps = readdirSync(join(root, 'apps')).filter((d) => existsSync(join(root, 'apps', d, 'src'))).sort();
    expect(DOCKERFILE_SPECS.map((s) => s.app).sort()).toEqual(apps);
  });

  it.each(DOCKERFILE_SPECS.map((s) => [s.app, s] as const))('%s: the committed Dockerfile is the rendered one, byte for byte (npm run dockerfiles)', (app, spec) => {
    expect(committed(app)).toBe(renderDockerfile(spec));
  });

  // Tools may not import the apps' settings (scope tags), so the table holds the numbers and this
  // reads each HTTP_PORT default back from the app's config source.
  it.each(DOCKERFILE_SPECS.map((s) => [s.app, s.port] as const))("%s: the port is the app's HTTP_PORT default", (app, port) => {
    const source = readFileSync(join(root, 'apps', app, 'src', `${app}.config.ts`), 'utf8');
    const m = /\bHTTP_PORT:\s*int\([^)]*default:\s*(\d+)/.exec(source);
    expect(m ? Number(m[1]) : undefined).toBe(port);
  });

  it('builds the same build stage in every image, so BuildKit shares it', () => {
    const buildStage = (app: string) => JSON.stringify(stages(parseDockerfile(committed(app))).find((s) => s.name === 'build')!.instructions.map((i) => [i.keyword, i.args]));
    const all = new Set(DOCKERFILE_SPECS.map((s) => buildStage(s.app)));
    expect(all.size).toBe(1);
  });

  it('exposes the ports of the apps a process hosts', () => {
    expect(APP_PORTS['edge-allinone']).toEqual([...APP_PORTS['twin-service'], ...APP_PORTS.predictor, ...APP_PORTS.maintenance]);
    expect(APP_PORTS['sensor-simulator']).toEqual([]);
  });

  // scripts/build.mjs bundles a fixed list of apps; an image starting a bundle nobody builds would not start.
  it('starts a bundle exactly in the images of the apps the build bundles', () => {
    const build = readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8');
    const list = /const BUNDLED_APPS = \[([^\]]*)\]/.exec(build)?.[1] ?? '';
    const bundledByBuild = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
    expect(DOCKERFILE_SPECS.filter((s) => s.bundled).map((s) => s.app).sort()).toEqual(bundledByBuild);
    expect(bundledByBuild).not.toContain('edge-allinone');
  });

  it('drops ONNX Runtime entirely from images that never load it', () => {
    const drop = DOCKERFILE_SPECS.filter((s) => s.onnx === 'drop').map((s) => s.app);
    for (const app of drop) expect([app, /rm -rf node_modules\/onnxruntime-node \\/.test(committed(app))]).toEqual([app, true]);
    expect(drop).not.toContain('predictor');
    expect(drop).not.toContain('edge-allinone');
  });
});
