import { ConfigError, bool, describeSettings, duration, int, loadConfig, oneOf, str } from './env-config';

const spec = {
  PORT: int('port', { default: 8080, min: 1, max: 65535 }),
  MODE: oneOf('mode', ['a', 'b'] as const, { default: 'a' }),
  WAIT: duration('wait', { default: 30_000 }),
  ON: bool('on', { default: false }),
  NAME: str('name'),
};

describe('loadConfig', () => {
  it('parses every kind of setting and applies defaults', () => {
    expect(loadConfig(spec, { NAME: 'x', WAIT: '1.5m', ON: 'yes', PORT: '9' })).toEqual({ PORT: 9, MODE: 'a', WAIT: 90_000, ON: true, NAME: 'x' });
  });

  it('refuses to start with every bad setting named at once', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig(spec, { PORT: '70000', MODE: 'c', WAIT: '10 minutes', ON: 'maybe' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems.map((p) => p.split(/[=\s]/)[0])).toEqual(['PORT', 'MODE', 'WAIT', 'ON', 'NAME']);
  });

  it('documents defaults in the form the settings accept', () => {
    expect(describeSettings(spec)).toContain('| `WAIT` | `30s` | wait |');
    expect(describeSettings(spec)).toContain('| `NAME` | (required) | name |');
  });
});
