import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCmapssFile } from '@millwright/cmapss';
import { runPredict } from './predict.command';

const MODEL_DIR = join(__dirname, '../../../../models/fd001');

describe('predict', () => {
  it('prints unit,rul for every unit of test_FD001 at its last cycle', async () => {
    const warnings: string[] = [];
    const csv = await runPredict({ cmapssFile: requireCmapssFile('test_FD001.txt'), modelDir: MODEL_DIR }, (w) => warnings.push(w));
    const [header, ...lines] = csv.trimEnd().split('\n');
    expect(header).toBe('unit,rul');
    expect(lines).toHaveLength(100);
    lines.forEach((line, i) => {
      const [unit, rul] = line.split(',').map(Number);
      expect(unit).toBe(i + 1);
      expect(rul).toBeGreaterThanOrEqual(0);
      expect(rul).toBeLessThanOrEqual(125);
    });
    // Test units stop at different stages of wear, so the predictions must spread out.
    const ruls = lines.map((l) => Number(l.split(',')[1]));
    expect(Math.max(...ruls) - Math.min(...ruls)).toBeGreaterThan(50);
    expect(warnings).toEqual([]);
  });

  it('refuses a model file that is not the one the card describes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-model-'));
    try {
      copyFileSync(join(MODEL_DIR, 'model-card.json'), join(dir, 'model-card.json'));
      const model = readFileSync(join(MODEL_DIR, 'model.onnx'));
      model[model.length - 1] ^= 1;
      writeFileSync(join(dir, 'model.onnx'), model);
      await expect(runPredict({ cmapssFile: 'unused.txt', modelDir: dir }, () => undefined)).rejects.toThrow(/sha256 .* the card says/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
