import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { modelRegistryOptionProblems } from '@millwright/model-registry';
import { loadPredictorConfig, modelRegistryOptionsOf, predictorSettings } from './predictor.config';

describe('predictor configuration', () => {
  it('runs the committed FD001 model by default', () => {
    expect(loadPredictorConfig({})).toMatchObject({ MODEL_DIR: 'models/fd001', MODEL_BUCKET: '', PREDICT_MAX_BATCH: 256 });
  });

  it('refuses to start on a bad value', () => {
    expect(() => loadPredictorConfig({ HEALTH_WARNING_RISK: '1.5' })).toThrow(ConfigError);
  });

  it('follows staged releases with SITE_ID only with trusted keys, and never beside MODEL_BUCKET', () => {
    const key = 'MCowBQYDK2VwAyEAexample';
    expect(loadPredictorConfig({ SITE_ID: 'site-a', MODEL_PUBLIC_KEYS: key })).toMatchObject({ SITE_ID: 'site-a', MODEL_BUCKET: '' });
    expect(loadPredictorConfig({ MODEL_BUCKET: 'models', MODEL_PUBLIC_KEYS: key })).toMatchObject({ SITE_ID: '', MODEL_BUCKET: 'models' });
    expect(() => loadPredictorConfig({ SITE_ID: 'site-a' })).toThrow(/SITE_ID is set .* MODEL_PUBLIC_KEYS is empty/);
    expect(() => loadPredictorConfig({ SITE_ID: 'site-a', MODEL_PUBLIC_KEYS: ' , ' })).toThrow(/MODEL_PUBLIC_KEYS is empty/);
    expect(() => loadPredictorConfig({ SITE_ID: 'site-a', MODEL_BUCKET: 'models', MODEL_PUBLIC_KEYS: key })).toThrow(/MODEL_BUCKET and SITE_ID cannot both be set/);
    expect(() => loadPredictorConfig({ SITE_ID: 'site.a', MODEL_PUBLIC_KEYS: key })).toThrow(/SITE_ID="site.a"/);
    // Every problem at once.
    try {
      loadPredictorConfig({ SITE_ID: 'site-a', MODEL_BUCKET: 'models' });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });

  it('hands the registry what it checks itself', () => {
    const key = 'MCowBQYDK2VwAyEAexample';
    const o = modelRegistryOptionsOf(loadPredictorConfig({ SITE_ID: 'site-a', MODEL_PUBLIC_KEYS: ` ${key} ,` }));
    expect(o).toMatchObject({ modelDir: 'models/fd001', natsBucket: undefined, publicKeys: [key], stagedReleases: true });
    expect(modelRegistryOptionProblems(o)).toEqual([]);
    expect(modelRegistryOptionsOf(loadPredictorConfig({}))).toMatchObject({ stagedReleases: false, publicKeys: [] });
  });

  it('is documented in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(predictorSettings)) expect(readme).toContain(row);
  });
});
