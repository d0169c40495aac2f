import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { groupEngines, parseCmapss, requireCmapssFile } from '@millwright/cmapss';
import { buildLastCycleWindows, toEngineSeries } from '../data/window-set.builder';
import { loadModelBundle } from '../onnx/model-bundle.loader';
import { OnnxRulSession } from '../onnx/onnx-rul.session';

export const DEFAULT_MODEL_DIR = 'models/fd001';

export interface PredictOptions {
  cmapssFile: string;
  modelDir: string;
}

/** A path as given, or a bare file name looked up in the C-MAPSS folder (MILLWRIGHT_CMAPSS_DIR). */
function resolveDataFile(file: string): string {
  return existsSync(file) || file.includes('/') ? file : requireCmapssFile(file);
}

/**
 * RUL at the last cycle of every unit of a C-MAPSS file, as CSV `unit,rul`. Units shorter than the
 * window are padded by repeating their first reading (the card's padding policy for evaluation)
 * and reported through `warn`, because their prediction leans towards "healthy".
 */
export async function runPredict(options: PredictOptions, warn: (line: string) => void): Promise<string> {
  const { card, model } = await loadModelBundle(options.modelDir);
  const file = resolveDataFile(options.cmapssFile);
  const engines = toEngineSeries(groupEngines(parseCmapss(await readFile(file, 'utf8'), file)));
  const short = engines.filter((e) => e.readings.length < card.window.length).map((e) => e.unit);
  if (short.length > 0) warn(`units with fewer than ${card.window.length} cycles, padded: ${short.join(' ')}`);
  const windows = buildLastCycleWindows(engines, card.window);
  const session = await OnnxRulSession.open(model, windows.size);
  try {
    const { rul } = await session.predict(windows.x);
    const lines = engines.map((e, i) => `${e.unit},${rul[i].toFixed(2)}`);
    return ['unit,rul', ...lines].join('\n') + '\n';
  } finally {
    await session.close();
  }
}
