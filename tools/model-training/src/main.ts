import { intFlag, parseArgs } from './cli/cli-args.parser';

const USAGE = `usage:
  main.js train --subset FD001 --out models/fd001 --seed 42 [--epochs 30]
  main.js predict --cmapss FILE [--model models/fd001]
  main.js bench [--model models/fd001] [--runs 2000]
C-MAPSS files are read from MILLWRIGHT_CMAPSS_DIR (default ../shared/data/cmapss).`;

const COMMANDS = {
  train: ['subset', 'out', 'seed', 'epochs'],
  predict: ['cmapss', 'model'],
  bench: ['model', 'runs'],
} as const;

async function main(argv: string[]): Promise<void> {
  const { command, flags } = parseArgs(argv, COMMANDS);
  // Commands are loaded on demand: predict and bench must not pay for loading tfjs.
  if (command === 'train') {
    const { DEFAULT_TRAIN_OPTIONS, runTrain } = await import('./cli/train.command');
    const tf = await import('@tensorflow/tfjs');
    tf.enableProdMode(); // silences the "install tfjs-node" banner, which cannot be installed here
    const subset = (flags.get('subset') ?? 'FD001').toUpperCase();
    if (!/^FD00[1-4]$/.test(subset)) throw new Error(`--subset must be FD001..FD004, got ${subset}`);
    await runTrain(
      {
        ...DEFAULT_TRAIN_OPTIONS,
        subset,
        outDir: flags.get('out') ?? `models/${subset.toLowerCase()}`,
        seed: intFlag(flags, 'seed', 42),
        epochs: intFlag(flags, 'epochs', DEFAULT_TRAIN_OPTIONS.epochs),
      },
      (line) => console.log(line),
    );
  } else if (command === 'predict') {
    const { DEFAULT_MODEL_DIR, runPredict } = await import('./cli/predict.command');
    const cmapssFile = flags.get('cmapss');
    if (!cmapssFile) throw new Error('predict needs --cmapss FILE');
    process.stdout.write(await runPredict({ cmapssFile, modelDir: flags.get('model') ?? DEFAULT_MODEL_DIR }, (line) => console.error(line)));
  } else {
    const { runBench } = await import('./cli/bench.command');
    const { DEFAULT_MODEL_DIR } = await import('./cli/predict.command');
    const runs = intFlag(flags, 'runs', 2000);
    for (const r of await runBench(flags.get('model') ?? DEFAULT_MODEL_DIR, [1, 64], runs)) {
      console.log(`${r.kind.padEnd(10)} batch ${String(r.batch).padStart(3)}: ${r.microsPerRun.toFixed(1)} us per run, ${r.microsPerAsset.toFixed(2)} us per asset (${r.runs} runs)`);
    }
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  console.error(USAGE);
  process.exitCode = 1;
});
