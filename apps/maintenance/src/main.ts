import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startHttpService } from '@millwright/observability';
import { AppModule } from './app.module';
import { loadMaintenanceConfig } from './maintenance.config';

startHttpService('maintenance', () => {
  const c = loadMaintenanceConfig();
  mkdirSync(dirname(c.MAINTENANCE_DB_PATH), { recursive: true });
  return {
    module: AppModule.forConfig(c),
    host: c.HTTP_HOST,
    port: c.HTTP_PORT,
    title: 'Millwright maintenance',
    description: 'Replacement orders from failure predictions, policies, staff actions.',
  };
});
