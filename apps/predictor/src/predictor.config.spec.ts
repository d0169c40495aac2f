import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { loadPredictorConfig, predictorSettings } from './predictor.config';

describe('predictor configuration', () => {
  it('runs the committed FD001 model by default', () => {
    expect(loadPredictorConfig({})).toMatchObject({ MODEL_DIR: 'models/fd001', MODEL_BUCKET: '', PREDICT_MAX_BATCH: 256 });
  });

  it('refuses to start on a bad value', () => {
    expect(() => loadPredictorConfig({ HEALTH_WARNING_RISK: '1.5' })).toThrow(ConfigError);
  });

  it('is documented in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(predictorSettings)) expect(readme).toContain(row);
  });
});
