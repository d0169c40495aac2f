import { join } from 'node:path';
import { ConfigError } from '@millwright/config';
import { collectHttpServices, runHostedHttpServices } from '@millwright/observability';
import { loadEdgeAllInOneConfig, type EdgeAllInOneConfig } from './edge-allinone.config';

let c: EdgeAllInOneConfig;
try {
  c = loadEdgeAllInOneConfig();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}

// Each service's own built entry point, next to this one in dist/apps: the same composition root
// as when it runs alone, handed to the host instead of started (see collectHttpServices).
const services = collectHttpServices(() => {
  for (const s of c.services) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded synchronously while the collector listens
    require(join(__dirname, '..', '..', s, 'src', 'main.js'));
  }
});
runHostedHttpServices('edge-allinone', services);
