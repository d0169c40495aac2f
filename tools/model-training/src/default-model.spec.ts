import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCmapssFile, requireCmapssFile } from '@millwright/cmapss';
import { rmse } from '@millwright/rul-features';
import { splitUnits } from './data/unit.splitter';
import { buildTrainingWindows, toEngineSeries } from './data/window-set.builder';
import { loadModelBundle } from './onnx/model-bundle.loader';
import { OnnxRulSession } from './onnx/onnx-rul.session';
import { sha256Hex } from '@millwright/model-release';

// The committed default model: what the edge loads when nothing else is configured.
const MODEL_DIR = join(__dirname, '../../../models/fd001');

describe('committed FD001 model', () => {
  it('is small, and its card names the model file by sha256 and version', async () => {
    const { card, model } = await loadModelBundle(MODEL_DIR);
    expect(statSync(join(MODEL_DIR, card.model.file)).size + statSync(join(MODEL_DIR, 'model-card.json')).size).toBeLessThan(2 * 1024 * 1024);
    expect(card.model.sha256).toBe(sha256Hex(model));
    expect(card.model.bytes).toBe(model.length);
    expect(card.version).toBe(`fd001-${card.model.sha256.slice(0, 12)}`);
    expect(card.window.features).toHaveLength(card.window.normalisation.mean.length);
    expect(card.inputs[0].shape).toEqual(['batch', card.window.length * card.window.features.length]);
  });

  it('was validated on units it was not trained on, and meets the RMSE target', async () => {
    const { card } = await loadModelBundle(MODEL_DIR);
    const { trainUnits, validationUnits, seed } = card.training;
    expect(trainUnits.filter((u) => validationUnits.includes(u))).toEqual([]);
    expect(validationUnits).toEqual(card.validation.units);
    expect(splitUnits([...trainUnits, ...validationUnits], 0.2, seed)).toEqual({ train: trainUnits, validation: validationUnits });
    expect(card.validation.rmse).toBeLessThanOrEqual(14);
  });

  it('reproduces the card\'s validation RMSE from train_FD001 (the training data it hashes)', async () => {
    const { card, model } = await loadModelBundle(MODEL_DIR);
    const file = requireCmapssFile('train_FD001.txt');
    expect(sha256Hex(readFileSync(file))).toBe(card.training.data[0].sha256);
    const engines = toEngineSeries(readCmapssFile(file)).filter((e) => card.validation.units.includes(e.unit));
    const windows = buildTrainingWindows(engines, card.window, card.target.capCycles);
    expect(windows.count).toBe(card.validation.windows);
    const session = await OnnxRulSession.open(model, windows.size);
    try {
      const { rul, failureRisk } = await session.predict(windows.x);
      expect(Math.abs(rmse(rul, windows.y) - card.validation.rmse)).toBeLessThanOrEqual(0.01);
      expect(Math.min(...rul)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...rul)).toBeLessThanOrEqual(card.target.capCycles);
      // Risk is high where failure is near and low where it is far.
      const meanRisk = (keep: (y: number) => boolean) => {
        const r = Array.from(failureRisk).filter((_, i) => keep(windows.y[i]));
        return r.reduce((a, b) => a + b, 0) / r.length;
      };
      expect(meanRisk((y) => y <= 10)).toBeGreaterThan(0.8);
      expect(meanRisk((y) => y >= 100)).toBeLessThan(0.05);
    } finally {
      await session.close();
    }
  });
});
