import { startHttpService } from '@millwright/observability';
import { AppModule } from './app.module';
import { loadAssetPlatformConfig } from './asset-platform.config';

startHttpService('asset-platform', () => {
  const c = loadAssetPlatformConfig();
  return {
    module: AppModule.forConfig(c),
    host: c.HTTP_HOST,
    port: c.HTTP_PORT,
    title: 'Millwright asset platform',
    description: "The central view of every site's fleet: twins synced from the edge, fleet queries, desired state sent down, conflicts and orders.",
    nestOptions: { bodyParser: false },
    configure: (app) => app.useBodyParser('json', { type: ['application/json', 'application/merge-patch+json'], limit: '64kb' }),
  };
});
