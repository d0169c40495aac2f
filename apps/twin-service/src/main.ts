import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startHttpService } from '@millwright/observability';
import { AppModule } from './app.module';
import { loadTwinServiceConfig } from './twin-service.config';

startHttpService('twin-service', () => {
  const c = loadTwinServiceConfig();
  if (c.TWIN_DB_PATH !== ':memory:') mkdirSync(dirname(c.TWIN_DB_PATH), { recursive: true });
  return {
    module: AppModule.forConfig(c),
    host: c.HTTP_HOST,
    port: c.HTTP_PORT,
    title: 'Millwright twin service',
    description: 'Digital twins of the assets at this edge site: reported, desired and derived state, and recent history.',
    nestOptions: { bodyParser: false },
    configure: (app) => app.useBodyParser('json', { type: ['application/json', 'application/merge-patch+json'], limit: '64kb' }),
  };
});
