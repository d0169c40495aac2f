import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { flagsToEnv, loadSensorSimulatorConfig, sensorSimulatorSettings } from './sensor-simulator.config';

describe('sensor simulator configuration', () => {
  it('runs a synthetic fleet over core NATS with nothing set', () => {
    expect(loadSensorSimulatorConfig({})).toEqual(
      expect.objectContaining({ SIM_TRANSPORT: 'nats', SIM_SOURCE: 'auto', SIM_CMAPSS_FILE: '', SIM_BATCH_SIZE: 1, SIM_RATE: 100, SIM_START_TS: 0, SIM_UNITS: [] }),
    );
  });

  it('lets flags override the environment, with or without the SIM_ prefix', () => {
    const cfg = loadSensorSimulatorConfig({ SIM_RATE: '10', SIM_TRANSPORT: 'nats' }, ['--rate', '250', '--transport=mqtt', '--mqtt-url', 'mqtt://x:1', '--units', '1,3-5']);
    expect(cfg).toEqual(expect.objectContaining({ SIM_RATE: 250, SIM_TRANSPORT: 'mqtt', MQTT_URL: 'mqtt://x:1', SIM_UNITS: [1, 3, 4, 5] }));
  });

  it('parses the start time of the synthetic clock', () => {
    expect(loadSensorSimulatorConfig({ SIM_START_TS: '2026-01-01T00:00:00Z' }).SIM_START_TS).toBe(Date.UTC(2026, 0, 1));
  });

  it('refuses bad settings all at once, naming each', () => {
    let err: unknown;
    try {
      loadSensorSimulatorConfig({ SIM_TRANSPORT: 'amqp', SIM_BATCH_SIZE: '5000', SIM_SITE: 'a.b', SIM_UNITS: '5-2' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.split('=')[0])).toEqual(['SIM_TRANSPORT', 'SIM_SITE', 'SIM_UNITS', 'SIM_BATCH_SIZE']);
  });

  it('refuses unknown flags and flags without a value', () => {
    expect(() => flagsToEnv(['--speed', '3'])).toThrow(/unknown flag --speed/);
    expect(() => flagsToEnv(['--rate'])).toThrow(/needs a value/);
    expect(() => flagsToEnv(['rate=3'])).toThrow(/unexpected argument/);
  });
});

describe('sensor simulator settings documentation', () => {
  it('is in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(sensorSimulatorSettings)) expect(readme).toContain(row);
  });
});
