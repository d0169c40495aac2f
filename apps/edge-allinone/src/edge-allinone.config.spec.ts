import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { edgeAllInOneSettings, loadEdgeAllInOneConfig } from './edge-allinone.config';

describe('edge all-in-one configuration', () => {
  it('runs the three edge services by default, the twin service first', () => {
    expect(loadEdgeAllInOneConfig({}).services).toEqual(['twin-service', 'predictor', 'maintenance']);
  });

  it('starts a chosen subset in dependency order whatever order it is listed in', () => {
    expect(loadEdgeAllInOneConfig({ MILLWRIGHT_SERVICES: 'maintenance,twin-service' }).services).toEqual(['twin-service', 'maintenance']);
  });

  it('refuses an unknown service name', () => {
    expect(() => loadEdgeAllInOneConfig({ MILLWRIGHT_SERVICES: 'twin-service,ui' })).toThrow(ConfigError);
  });

  it('is documented in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(edgeAllInOneSettings)) expect(readme).toContain(row);
  });
});
