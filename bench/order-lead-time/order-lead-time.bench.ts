// Order lead time (issue 4): does the committed model, with the maintenance service's decision rule,
// order the part early enough? Every engine of the FD001 validation units (never trained on) and of
// train_FD003 (a subset the model never saw) is replayed cycle by cycle to its failure, offline:
// the predictor's window ring and ONNX session, the maintenance domain's replacementNeed and the
// policy in config/policies/default.json. No NATS, no services: this evaluates the decision, the
// system test and the orders bench cover the path that carries it.
// Writes bench-results/order-lead-time.json.   npm run bench -- order-lead-time [--margins 0,5,10,15,20]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCmapssFile, requireCmapssFile, type CmapssEngine } from '@millwright/cmapss';
import type { ReplacementPolicy } from '@millwright/maintenance-domain';
import { repoRoot } from '@millwright/testing';
import { machineNote, writeBenchResults } from '../common/bench-results.writer';
import { loadDefaultModel } from '../inference/raw-session.runner';
import { decide, predictEngine, tally, type DecisionTally, type EngineDecision, type EnginePredictions } from './engine-decision.replayer';

const USAGE = 'npm run bench -- order-lead-time [--margins 0,5,10,15,20] [--policy config/policies/default.json]';

interface EngineSet {
  name: string;
  file: string;
  /** Which units of the file count; all when undefined. */
  units?: readonly number[];
  why: string;
}

function parseArgs(argv: readonly string[]): { margins: number[]; policyFile: string } {
  const o = { margins: [0, 5, 10, 15, 20], policyFile: 'config/policies/default.json' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === '--margins') {
      o.margins = value.split(',').map(Number);
      if (o.margins.some((m) => !Number.isInteger(m) || m < 0)) throw new Error(`--margins must be whole numbers >= 0, got '${value}'`);
    } else if (flag === '--policy') o.policyFile = value;
    else throw new Error(`unknown flag '${flag}'\n${USAGE}`);
  }
  return o;
}

/** The turbofan policy the site ships with; the fields the decision reads are checked, not trusted. */
function turbofanPolicy(file: string): ReplacementPolicy {
  const list = JSON.parse(readFileSync(join(repoRoot(), file), 'utf8')) as ReplacementPolicy[];
  const p = Array.isArray(list) ? list.find((x) => x.assetClass === 'turbofan') : undefined;
  if (!p) throw new Error(`${file} holds no policy for assetClass turbofan`);
  for (const k of ['leadTimeCycles', 'safetyMarginCycles', 'riskThreshold'] as const) {
    if (typeof p[k] !== 'number' || !Number.isFinite(p[k])) throw new Error(`${file}: turbofan ${k} is not a number`);
  }
  return p;
}

const cell = (v: number | null): string => (v === null ? '-' : String(v));

function markdown(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const policy = turbofanPolicy(opts.policyFile);
  const loaded = await loadDefaultModel();
  // The registry verified the file against card.model.sha256, so the card's hash is the model's.
  const model = { ...loaded, sha256: loaded.card.model.sha256 };
  const validationUnits = loaded.card.validation.units;
  if (!validationUnits.length) throw new Error('the model card lists no validation units');

  const sets: EngineSet[] = [
    { name: 'FD001 validation units', file: 'train_FD001.txt', units: validationUnits, why: 'FD001 engines held out of training (model-card validation.units)' },
    { name: 'FD003 (all)', file: 'train_FD003.txt', why: 'a subset the model never saw: one operating condition like FD001, two fault modes' },
  ];

  const perSet: Array<{ set: EngineSet; predictions: EnginePredictions[]; decisions: EngineDecision[]; tally: DecisionTally; windows: number }> = [];
  for (const set of sets) {
    const engines: CmapssEngine[] = readCmapssFile(requireCmapssFile(set.file)).filter((e) => !set.units || set.units.includes(e.unit));
    const predictions: EnginePredictions[] = [];
    for (const e of engines) predictions.push(await predictEngine(model, e));
    const decisions = predictions.map((p) => decide(p, policy, model.version));
    perSet.push({ set, predictions, decisions, tally: tally(decisions), windows: predictions.reduce((n, p) => n + p.predictions.length, 0) });
  }
  await loaded.session.release();

  const policyLabel = `lead ${policy.leadTimeCycles} + margin ${policy.safetyMarginCycles} cycles, risk >= ${policy.riskThreshold}`;
  const header = ['engines', 'replayed', `ordered with >= ${policy.leadTimeCycles} cycles to spare`, 'ordered too late', 'never ordered', 'spare cycles (min / median / max)'];
  const mainTable = markdown(
    header,
    perSet.map(({ set, tally: t }) => [set.name, String(t.engines), String(t.on_time), String(t.late), String(t.never), `${cell(t.spare_min)} / ${cell(t.spare_median)} / ${cell(t.spare_max)}`]),
  );

  // The margin is the one knob that trades early orders (part life given away) against late ones.
  const sweep = opts.margins.map((margin) => {
    const p = { ...policy, safetyMarginCycles: margin };
    return { margin, sets: perSet.map(({ set, predictions }) => ({ set: set.name, ...tally(predictions.map((e) => decide(e, p, model.version))) })) };
  });
  const sweepTable = markdown(
    ['safety margin', ...perSet.map(({ set }) => `${set.name}: on time / late / never`), 'median spare'],
    sweep.map((s) => [
      `${s.margin}${s.margin === policy.safetyMarginCycles ? ' (default)' : ''}`,
      ...s.sets.map((t) => `${t.on_time} / ${t.late} / ${t.never}`),
      s.sets.map((t) => cell(t.spare_median)).join(' / '),
    ]),
  );

  const results = {
    bench: 'order-lead-time',
    at: new Date().toISOString(),
    machine: machineNote(),
    model: { version: model.version, window: model.card.window.length },
    policy: { file: opts.policyFile, leadTimeCycles: policy.leadTimeCycles, safetyMarginCycles: policy.safetyMarginCycles, riskThreshold: policy.riskThreshold },
    rule: 'order at the first prediction with RUL <= lead + margin or failure risk >= riskThreshold; on time = trigger cycle <= failure cycle - lead time (failure cycle = last row of the engine)',
    sets: perSet.map(({ set, tally: t, decisions, windows }) => ({ name: set.name, file: set.file, why: set.why, windows, ...t, engines_detail: decisions })),
    margin_sweep: sweep,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  const path = writeBenchResults('order-lead-time', results);

  console.log(`\nmodel ${model.version}; policy ${opts.policyFile} (turbofan: ${policyLabel})\n`);
  console.log(mainTable);
  console.log(`\nthe same predictions under other safety margins (lead time ${policy.leadTimeCycles}):\n`);
  console.log(sweepTable);
  for (const { set, decisions } of perSet) {
    const missed = decisions.filter((d) => d.outcome !== 'on_time');
    if (missed.length) console.log(`\n${set.name}, late or never: ${missed.map((d) => `unit ${d.unit} (${d.outcome}, ${d.spareCycles === null ? `lowest RUL predicted ${d.minPredictedRul}` : `${d.spareCycles} spare`})`).join(', ')}`);
  }
  console.log(`\nwrote ${path} in ${results.seconds} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('[order-lead-time] failed:', e);
    process.exit(1);
  },
);
