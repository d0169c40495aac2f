// Sensor gateway simulator: replays C-MAPSS engines (or a synthetic fleet) as telemetry.
//   npm run build && node dist/apps/sensor-simulator/src/main.js [--rate 200 --batch-size 50 ...]
// Settings: environment variables (see --help); flags override them.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { requireCmapssFile } from '@millwright/cmapss';
import { ConfigError, describeSettings } from '@millwright/config';
import {
  cmapssFileEngines,
  connectMqttPublisher,
  connectNatsPublisher,
  runSimulation,
  syntheticEngines,
  type SimEngine,
  type SimulationProgress,
  type SimulationRate,
  type TelemetryPublisher,
} from '@millwright/gateway-simulator';
import { natsAuthOptions } from '@millwright/messaging';
import { loadSensorSimulatorConfig, sensorSimulatorSettings, type SensorSimulatorConfig } from './sensor-simulator.config';

function loadEngines(cfg: SensorSimulatorConfig): { engines: SimEngine[]; from: string } {
  const source = cfg.SIM_SOURCE === 'auto' ? (cfg.SIM_CMAPSS_FILE ? 'cmapss' : 'synthetic') : cfg.SIM_SOURCE;
  const prefix = cfg.SIM_ASSET_PREFIX || undefined;
  if (source === 'synthetic') {
    const engines = syntheticEngines({ count: cfg.SIM_ENGINES || 10, seed: cfg.SIM_SEED, assetPrefix: prefix });
    return { engines, from: `synthetic fleet (FD001 profile, seed ${cfg.SIM_SEED})` };
  }
  if (!cfg.SIM_CMAPSS_FILE) throw new ConfigError(['SIM_SOURCE=cmapss needs SIM_CMAPSS_FILE']);
  const path = existsSync(cfg.SIM_CMAPSS_FILE) ? resolve(cfg.SIM_CMAPSS_FILE) : requireCmapssFile(cfg.SIM_CMAPSS_FILE);
  const engines = cmapssFileEngines({ path, units: cfg.SIM_UNITS, maxEngines: cfg.SIM_ENGINES, assetPrefix: prefix });
  return { engines, from: basename(path) };
}

function connectPublisher(cfg: SensorSimulatorConfig): Promise<TelemetryPublisher> {
  if (cfg.SIM_TRANSPORT === 'mqtt') return connectMqttPublisher(cfg.MQTT_URL, { client: cfg.MQTT_USERNAME ? { username: cfg.MQTT_USERNAME, password: cfg.MQTT_PASSWORD } : {} });
  return connectNatsPublisher(cfg.NATS_URL, { jetstream: cfg.SIM_JETSTREAM_ACK, connection: { ...natsAuthOptions(cfg.NATS_NKEY_SEED_FILE), ...(cfg.NATS_INBOX_PREFIX ? { inboxPrefix: cfg.NATS_INBOX_PREFIX } : {}) } });
}

function rateOf(cfg: SensorSimulatorConfig): SimulationRate {
  if (cfg.SIM_CYCLE_RATE > 0) return { cyclesPerSec: cfg.SIM_CYCLE_RATE };
  return cfg.SIM_RATE > 0 ? { readingsPerSec: cfg.SIM_RATE } : 'max';
}

const progressLine = (p: SimulationProgress): string =>
  `[sensor-simulator] ${p.readingsSent} readings in ${p.messagesSent} messages | ${p.ratePerSec.toFixed(1)}/s now, ` +
  `${p.avgRatePerSec.toFixed(1)}/s avg | cycle ${p.ticks} | ${p.enginesActive} engines active | ${(p.elapsedMs / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(['| variable | default | meaning |', '| --- | --- | --- |', ...describeSettings(sensorSimulatorSettings)].join('\n'));
    return 0;
  }
  const cfg = loadSensorSimulatorConfig(process.env, argv);
  const { engines, from } = loadEngines(cfg);
  const publisher = await connectPublisher(cfg);

  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130); // a second signal means the graceful stop is stuck
    console.log(`[sensor-simulator] ${sig}: stopping after the message in hand`);
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const rate = rateOf(cfg);
  console.log(
    `[sensor-simulator] ${engines.length} engines from ${from} -> ${publisher.describe} site ${cfg.SIM_SITE} gateway ${cfg.SIM_GATEWAY}, ` +
      `rate ${typeof rate === 'string' ? rate : JSON.stringify(rate)}, batch ${cfg.SIM_BATCH_SIZE}`,
  );
  try {
    const s = await runSimulation(
      {
        site: cfg.SIM_SITE,
        gateway: cfg.SIM_GATEWAY,
        engines,
        clock: { cycleMs: cfg.SIM_CYCLE_MS, startMs: cfg.SIM_START_TS || undefined },
        rate,
        batchSize: cfg.SIM_BATCH_SIZE,
        maxReadings: cfg.SIM_MAX_READINGS,
        maxCycles: cfg.SIM_MAX_CYCLES,
        loop: cfg.SIM_LOOP,
        includeUnits: cfg.SIM_INCLUDE_UNITS,
        progressIntervalMs: cfg.SIM_PROGRESS_MS,
        signal: stop.signal,
      },
      publisher,
      (p) => {
        if (p.enginesActive > 0 || p.readingsSent === 0) console.log(progressLine(p));
      },
    );
    console.log(
      `[sensor-simulator] done (${s.stoppedBy}): ${s.readingsSent} readings in ${s.messagesSent} messages over ${s.transport}, ` +
        `${(s.elapsedMs / 1000).toFixed(1)} s, ${s.avgRatePerSec.toFixed(1)} readings/s, ${s.enginesFinished}/${engines.length} engines ran to failure`,
    );
    // One machine-readable line, for scripts that wait until a consumer has caught up.
    console.log(`[sensor-simulator] summary ${JSON.stringify({ stoppedBy: s.stoppedBy, readingsSent: s.readingsSent, messagesSent: s.messagesSent, clock: s.clock, lastSeqByAsset: s.lastSeqByAsset })}`);
  } finally {
    await publisher.close();
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(`[sensor-simulator] ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = e instanceof ConfigError ? 2 : 1;
  },
);
