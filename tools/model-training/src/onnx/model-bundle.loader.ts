import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_CARD_SCHEMA_VERSION, type ModelCard } from '@millwright/rul-features';
import { MODEL_CARD_FILE, sha256Hex } from '@millwright/model-release';

export interface ModelBundle {
  card: ModelCard;
  model: Uint8Array;
}

/** Reads a model directory and refuses a model file that is not the one its card describes. */
export async function loadModelBundle(dir: string): Promise<ModelBundle> {
  const card = JSON.parse(await readFile(join(dir, MODEL_CARD_FILE), 'utf8')) as ModelCard;
  if (card.schemaVersion !== MODEL_CARD_SCHEMA_VERSION) throw new Error(`${dir}: model card schema ${card.schemaVersion}, expected ${MODEL_CARD_SCHEMA_VERSION}`);
  const model = await readFile(join(dir, card.model.file));
  const sha = sha256Hex(model);
  if (sha !== card.model.sha256) throw new Error(`${dir}/${card.model.file} has sha256 ${sha}, the card says ${card.model.sha256}`);
  return { card, model };
}
