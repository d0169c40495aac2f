import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { groupEngines, parseCmapss, requireCmapssFile } from '@millwright/cmapss';
import {
  DEFAULT_RUL_SENSORS,
  FAILURE_HORIZON_CYCLES,
  RUL_CAP_CYCLES,
  fitNormalisation,
  rmse,
  type ModelCard,
  type WindowSpec,
} from '@millwright/rul-features';
import { splitUnits } from '../data/unit.splitter';
import { buildTrainingWindows, toEngineSeries, type EngineSeries } from '../data/window-set.builder';
import { calibrateFailureRisk } from '../model/failure-risk.calibrator';
import { createRulNetwork, predictRul } from '../model/rul-network.factory';
import { trainRulNetwork, type TrainingSchedule } from '../model/rul-model.trainer';
import { OnnxRulSession } from '../onnx/onnx-rul.session';
import { denseLayersOf, writeRulOnnx } from '../onnx/rul-model.exporter';
import { MODEL_CARD_FILE, MODEL_FILE, sha256Hex } from '@millwright/model-release';
import { VALIDATION_PLOT_FILE, buildModelCard } from '../report/model-card.builder';
import { renderValidationPlot } from '../report/validation-plot.renderer';
import { scoreValidation } from '../report/validation.scorer';

export interface TrainOptions {
  subset: string;
  outDir: string;
  seed: number;
  epochs: number;
  windowLength: number;
  hidden: number[];
  l2: number;
  validationFraction: number;
  schedule: Omit<TrainingSchedule, 'seed' | 'epochs'>;
}

export const DEFAULT_TRAIN_OPTIONS: Omit<TrainOptions, 'subset' | 'outDir' | 'seed'> = {
  epochs: 30,
  windowLength: 30,
  hidden: [64, 32],
  l2: 0,
  validationFraction: 0.2,
  schedule: { batchSize: 64, learningRate: 1e-3, decayPerEpoch: 0.97 },
};

/** ONNX and tfjs must agree to this many cycles on every validation window, or the export is wrong. */
export const PARITY_TOLERANCE_CYCLES = 1e-3;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function trajectories(units: readonly number[], unitOf: Int32Array, truth: Float32Array, predicted: Float32Array) {
  return units.map((unit) => {
    const idx = [...unitOf.keys()].filter((i) => unitOf[i] === unit);
    return { unit, trueRul: idx.map((i) => truth[i]), predictedRul: idx.map((i) => predicted[i]) };
  });
}

/** Trains, exports, checks and writes model.onnx, model-card.json and validation-plot.svg. */
export async function runTrain(options: TrainOptions, log: (line: string) => void): Promise<ModelCard> {
  await tf.setBackend('cpu');
  const dataFile = requireCmapssFile(`train_${options.subset}.txt`);
  const raw = await readFile(dataFile);
  const rows = parseCmapss(raw.toString('utf8'), dataFile);
  const engines = toEngineSeries(groupEngines(rows));
  const split = splitUnits(engines.map((e) => e.unit), options.validationFraction, options.seed);
  const pick = (units: number[]): EngineSeries[] => engines.filter((e) => units.includes(e.unit));
  const trainEngines = pick(split.train);
  const validationEngines = pick(split.validation);
  log(`${basename(dataFile)}: ${engines.length} units, ${rows.length} cycles; ${split.train.length} train units, ${split.validation.length} validation units`);

  const features = [...DEFAULT_RUL_SENSORS];
  const spec: WindowSpec = {
    length: options.windowLength,
    features,
    normalisation: fitNormalisation(trainEngines.flatMap((e) => e.readings), features),
  };
  const trainSet = buildTrainingWindows(trainEngines, spec, RUL_CAP_CYCLES);
  const validationSet = buildTrainingWindows(validationEngines, spec, RUL_CAP_CYCLES);
  log(`windows of ${spec.length} cycles x ${features.length} sensors: ${trainSet.count} train, ${validationSet.count} validation`);

  const meanTarget = trainSet.y.reduce((a, b) => a + b, 0) / trainSet.count;
  const model = createRulNetwork({ windowLength: spec.length, features: features.length, hidden: options.hidden, l2: options.l2, seed: options.seed, initialOutput: meanTarget });
  const schedule: TrainingSchedule = { ...options.schedule, epochs: options.epochs, seed: options.seed };
  await trainRulNetwork(model, trainSet, schedule, (r) => {
    // Validation RMSE is shown to watch progress only; it never picks the epoch or the weights.
    const val = rmse(predictRul(model, validationSet.x, validationSet.size, RUL_CAP_CYCLES), validationSet.y);
    log(`epoch ${String(r.epoch).padStart(3)}/${r.epochs}  loss ${r.loss.toFixed(1).padStart(7)}  val-rmse ${val.toFixed(2)}  lr ${r.learningRate.toExponential(1)}  ${r.seconds.toFixed(0)}s`);
  });

  const frameworkRul = predictRul(model, validationSet.x, validationSet.size, RUL_CAP_CYCLES);
  const risk = calibrateFailureRisk(frameworkRul, validationSet.y, FAILURE_HORIZON_CYCLES, RUL_CAP_CYCLES);
  const architecture = `window ${spec.length}x${features.length} -> fixed per-sensor mean/trend/last (${3 * features.length}) -> ${options.hidden.map((h) => `dense ${h} relu`).join(' -> ')} -> dense 1 -> clip [0, ${RUL_CAP_CYCLES}]`;
  const modelBytes = writeRulOnnx({
    layers: denseLayersOf(model),
    rulCap: RUL_CAP_CYCLES,
    failureRisk: risk,
    producerVersion: tf.version.tfjs,
    docString: `Millwright RUL model for C-MAPSS ${options.subset}: ${architecture}. See model-card.json.`,
    metadata: { subset: options.subset, features: features.join(','), window_length: String(spec.length) },
  });

  const session = await OnnxRulSession.open(modelBytes, validationSet.size);
  const onnx = await session.predict(validationSet.x);
  await session.close();
  const parity = maxAbsDiff(onnx.rul, frameworkRul);
  if (!(parity <= PARITY_TOLERANCE_CYCLES)) throw new Error(`ONNX and tfjs disagree by ${parity} cycles (> ${PARITY_TOLERANCE_CYCLES})`);
  log(`onnx export: ${modelBytes.length} bytes, max |onnx - tfjs| = ${parity.toExponential(2)} cycles on ${validationSet.count} validation windows`);

  // The card's metrics are those of the ONNX model: the artefact that is deployed.
  const validation = scoreValidation(split.validation, onnx.rul, onnx.failureRisk, validationSet.y, FAILURE_HORIZON_CYCLES);
  const card = buildModelCard({
    subset: options.subset,
    model: modelBytes,
    spec,
    capCycles: RUL_CAP_CYCLES,
    failureRisk: risk,
    training: {
      data: [{ file: basename(dataFile), sha256: sha256Hex(raw), rows: rows.length }],
      seed: options.seed,
      trainUnits: split.train,
      validationUnits: split.validation,
      architecture,
      epochs: options.epochs,
      batchSize: options.schedule.batchSize,
      learningRate: options.schedule.learningRate,
      framework: `@tensorflow/tfjs ${tf.version.tfjs} (cpu backend)`,
    },
    validation,
  });
  const plot = renderValidationPlot({
    title: `${options.subset} validation engines: predicted vs true RUL`,
    subtitle: `${validation.units.length} units, ${validation.windows} windows, RMSE ${validation.rmse.toFixed(2)}, PHM08 ${validation.phm08Score.toFixed(0)} (model ${card.version})`,
    cap: RUL_CAP_CYCLES,
    units: trajectories(split.validation, validationSet.unit, validationSet.y, onnx.rul),
  });

  await mkdir(options.outDir, { recursive: true });
  await writeFile(join(options.outDir, MODEL_FILE), modelBytes);
  await writeFile(join(options.outDir, MODEL_CARD_FILE), JSON.stringify(card, null, 2) + '\n');
  await writeFile(join(options.outDir, VALIDATION_PLOT_FILE), plot);
  log(`validation: RMSE ${validation.rmse} cycles, MAE ${validation.mae}, PHM08 ${validation.phm08Score} (${validation.phm08ScoreMean} per window), failure-risk Brier ${validation.failureRiskBrier}`);
  log(`wrote ${options.outDir}/{${MODEL_FILE},${MODEL_CARD_FILE},${VALIDATION_PLOT_FILE}} version ${card.version}`);
  return card;
}
