import { bool, int, loadConfig, num, oneOf, str, type ConfigOf, type Setting } from '@millwright/config';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** An ISO time as epoch ms; 0 (the default) means unset, as loadConfig treats no default as required. */
function isoTime(doc: string, defaultDoc: string): Setting<number> {
  return {
    doc,
    default: 0,
    defaultDoc,
    parse(raw) {
      const t = Date.parse(raw);
      if (!Number.isFinite(t)) throw new Error('expected an ISO-8601 time such as 2026-01-01T00:00:00Z');
      return t;
    },
  };
}

function unitList(doc: string): Setting<number[]> {
  return {
    doc,
    default: [],
    defaultDoc: '(all units)',
    parse(raw) {
      return raw.split(',').flatMap((part) => {
        const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
        if (!m) throw new Error('expected unit numbers and ranges such as 1,5,10-20');
        const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
        if (to < from) throw new Error(`range ${part.trim()} runs backwards`);
        return Array.from({ length: to - from + 1 }, (_, i) => from + i);
      });
    },
  };
}

/** Environment of the sensor simulator; `--flag value` on the command line overrides `SIM_FLAG`. */
export const sensorSimulatorSettings = {
  NATS_URL: str('NATS server to publish to when SIM_TRANSPORT=nats.', { default: 'nats://127.0.0.1:4222' }),
  MQTT_URL: str("MQTT listener (the NATS server's) to publish to when SIM_TRANSPORT=mqtt.", { default: 'mqtt://127.0.0.1:1883' }),
  NATS_NKEY_SEED_FILE: str("With nats: file with the gateway's nkey seed (from `npm run provision -- gateway SITE GATEWAY`); empty: no credentials.", { default: '' }),
  NATS_INBOX_PREFIX: str("With nats: reply-inbox prefix the gateway's credential may subscribe to (`_INBOX_<site>_<gateway>`, printed by provision); empty: the client default.", { default: '' }),
  MQTT_USERNAME: str("With mqtt: the gateway's user (from `npm run provision -- gateway SITE GATEWAY --mqtt`); empty: anonymous.", { default: '' }),
  MQTT_PASSWORD: str("With mqtt: the gateway's password (from a Secret).", { default: '' }),
  SIM_TRANSPORT: oneOf('Protocol the gateway speaks: nats (core or JetStream publish) or mqtt (QoS 1).', ['nats', 'mqtt'] as const, { default: 'nats' }),
  SIM_JETSTREAM_ACK: bool('With nats: publish through JetStream and wait for the stream acks, so a completed run guarantees the stream holds every reading.', { default: false }),
  SIM_SITE: str('Site id, the subject token all readings are published under.', { default: 'site-1', pattern: ID }),
  SIM_GATEWAY: str('Gateway id, the subject token of batch messages.', { default: 'gw-1', pattern: ID }),
  SIM_SOURCE: oneOf('Where engines come from: cmapss replays SIM_CMAPSS_FILE, synthetic generates SIM_ENGINES engines from the committed FD001 profile, auto picks cmapss when SIM_CMAPSS_FILE is set.', ['auto', 'cmapss', 'synthetic'] as const, { default: 'auto' }),
  SIM_CMAPSS_FILE: {
    ...str('C-MAPSS text file to replay: a path, or a file name looked up in MILLWRIGHT_CMAPSS_DIR (default ../shared/data/cmapss), e.g. train_FD001.txt.', { default: '' }),
    defaultDoc: '(none)',
  },
  SIM_UNITS: unitList('With cmapss: replay only these unit numbers, e.g. 1,5,10-20.'),
  SIM_ASSET_PREFIX: {
    ...str('Dataset tag put in front of asset ids, e.g. fd001 gives fd001-engine-001.', { default: '', pattern: /^[A-Za-z0-9_-]{1,20}$/ }),
    defaultDoc: '(none: engine-001)',
  },
  SIM_ENGINES: {
    ...int('Synthetic: engines to generate (0 = 10). C-MAPSS: most engines to replay (0 = every engine of the file).', { default: 0, min: 0, max: 10_000 }),
    defaultDoc: '`0` (10 synthetic / all C-MAPSS)',
  },
  SIM_SEED: int('Seed of the synthetic fleet; the same seed gives the same engines.', { default: 1, min: 0 }),
  SIM_RATE: num('Readings per second across the fleet; 0 sends as fast as the broker accepts.', { default: 100, min: 0 }),
  SIM_CYCLE_RATE: num('Cycles per second per engine (every engine reports once per tick); overrides SIM_RATE when above 0.', { default: 0, min: 0 }),
  SIM_BATCH_SIZE: int('Readings per message: 1 publishes each reading on telemetry.v1.<site>.<asset>, more batches them on telemetry.v1.<site>.<gateway>.batch.', { default: 1, min: 1, max: 1000 }),
  SIM_MAX_READINGS: int('Stop after this many readings (0 = no bound).', { default: 0, min: 0 }),
  SIM_MAX_CYCLES: int('Stop after this many fleet cycles (0 = no bound).', { default: 0, min: 0 }),
  SIM_LOOP: bool('Restart an engine that reached failure as a new episode (its seq keeps growing); runs until a bound or SIGTERM.', { default: false }),
  SIM_CYCLE_MS: int('Synthetic clock: milliseconds between two cycles of an engine in reading timestamps.', { default: 60_000, min: 1 }),
  SIM_START_TS: isoTime('Synthetic clock: time of cycle 0 (ISO-8601). Readings more than 5 min ahead of the edge clock are refused.', '(the replay ends now)'),
  SIM_INCLUDE_UNITS: bool('Send each sensor unit with every reading (about a third of the bytes).', { default: true }),
  SIM_PROGRESS_MS: int('Milliseconds between progress lines on stdout (0 = only the summary).', { default: 2000, min: 0 }),
} as const;

export type SensorSimulatorConfig = ConfigOf<typeof sensorSimulatorSettings>;

/**
 * Turns `--rate 50`, `--rate=50` or `--nats-url x` into environment entries: a flag names a setting
 * with or without its SIM_ prefix, so the environment stays the one source of defaults and docs.
 */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument '${argv[i]}' (flags look like --rate 50)`);
    const key = m[1].toUpperCase().replace(/-/g, '_');
    const name = [`SIM_${key}`, key].find((k) => k in sensorSimulatorSettings);
    if (!name) throw new Error(`unknown flag --${m[1]}; see --help`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`flag --${m[1]} needs a value`);
    out[name] = value;
  }
  return out;
}

export function loadSensorSimulatorConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): SensorSimulatorConfig {
  return loadConfig(sensorSimulatorSettings, { ...env, ...flagsToEnv(argv) });
}
