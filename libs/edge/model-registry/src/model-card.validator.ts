import { MODEL_CARD_SCHEMA_VERSION, RUL_MODEL_IO, type ModelCard } from '@millwright/rul-features';
import { MODEL_VERSION_PATTERN } from '@millwright/model-release';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isFiniteArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** `['batch', n, ...]` with fixed dimensions after the dynamic batch one. */
function tensorShapeProblem(shape: unknown): string | null {
  if (!Array.isArray(shape) || shape[0] !== 'batch') return 'shape must start with "batch"';
  if (!shape.slice(1).every(isPositiveInt)) return 'dimensions after "batch" must be positive integers';
  return null;
}

function checkTensors(kind: 'inputs' | 'outputs', tensors: unknown, expected: readonly string[], problems: string[]): Json[] {
  if (!Array.isArray(tensors) || !tensors.every(isObject)) {
    problems.push(`${kind} must be an array of tensors`);
    return [];
  }
  const names = tensors.map((t) => t.name);
  if (names.length !== expected.length || !expected.every((n) => names.includes(n))) problems.push(`${kind} must be named ${expected.join(', ')}, are ${JSON.stringify(names)}`);
  for (const t of tensors) {
    if (t.dtype !== 'float32') problems.push(`${kind} ${String(t.name)}: dtype must be float32`);
    const shape = tensorShapeProblem(t.shape);
    if (shape) problems.push(`${kind} ${String(t.name)}: ${shape}`);
  }
  return tensors;
}

/**
 * Checks the fields the edge relies on to feed the model and read its outputs; everything else on
 * the card (training, validation) is documentation and is not checked. Returns the problems found,
 * empty when the card is usable.
 */
export function modelCardProblems(value: unknown): string[] {
  if (!isObject(value)) return ['card is not a JSON object'];
  const problems: string[] = [];
  if (value.schemaVersion !== MODEL_CARD_SCHEMA_VERSION) problems.push(`schemaVersion is ${JSON.stringify(value.schemaVersion)}, expected ${MODEL_CARD_SCHEMA_VERSION}`);
  if (typeof value.name !== 'string' || value.name === '') problems.push('name is missing');
  if (typeof value.version !== 'string' || !MODEL_VERSION_PATTERN.test(value.version)) problems.push(`version ${JSON.stringify(value.version)} does not match ${MODEL_VERSION_PATTERN}`);

  const model = value.model;
  if (!isObject(model)) problems.push('model is missing');
  else {
    if (model.format !== 'onnx') problems.push('model.format must be "onnx"');
    if (typeof model.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(model.sha256)) problems.push('model.sha256 must be 64 lowercase hex digits');
    if (!isPositiveInt(model.bytes)) problems.push('model.bytes must be a positive integer');
  }

  const window = value.window;
  let inputSize: number | undefined;
  if (!isObject(window)) problems.push('window is missing');
  else {
    const { length, features, normalisation: n, layout, minHistory } = window;
    if (!isPositiveInt(length)) problems.push('window.length must be a positive integer');
    if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string' && f !== '')) problems.push('window.features must be a non-empty list of sensor names');
    else if (new Set(features).size !== features.length) problems.push('window.features has duplicates');
    if (layout !== 'time-major') problems.push('window.layout must be "time-major"');
    if (!isPositiveInt(minHistory)) problems.push('window.minHistory must be a positive integer');
    if (!isObject(n) || n.method !== 'z-score') problems.push('window.normalisation.method must be "z-score"');
    else if (Array.isArray(features)) {
      if (!isFiniteArray(n.mean) || n.mean.length !== features.length) problems.push(`window.normalisation.mean must hold ${features.length} finite numbers`);
      if (!isFiniteArray(n.std) || n.std.length !== features.length || n.std.some((s) => s <= 0)) problems.push(`window.normalisation.std must hold ${features.length} positive numbers`);
    }
    if (isPositiveInt(length) && Array.isArray(features)) inputSize = length * features.length;
  }

  const inputs = checkTensors('inputs', value.inputs, [RUL_MODEL_IO.input], problems);
  const input = inputs.find((t) => t.name === RUL_MODEL_IO.input);
  if (input && inputSize !== undefined && JSON.stringify(input.shape) !== JSON.stringify(['batch', inputSize])) {
    problems.push(`inputs ${RUL_MODEL_IO.input}: shape must be ["batch", ${inputSize}] (window.length × features), is ${JSON.stringify(input.shape)}`);
  }
  checkTensors('outputs', value.outputs, [RUL_MODEL_IO.rul, RUL_MODEL_IO.failureRisk], problems);
  return problems;
}

/** Parses card bytes; the card is typed only once its problems list is empty. */
export function parseModelCard(bytes: Uint8Array): { ok: true; card: ModelCard } | { ok: false; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return { ok: false, problems: [`card is not UTF-8 JSON: ${(e as Error).message}`] };
  }
  const problems = modelCardProblems(value);
  return problems.length ? { ok: false, problems } : { ok: true, card: value as ModelCard };
}
