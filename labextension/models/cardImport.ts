/**
 * Importing a Hugging Face model card (README.md) into the catalogue: `POST /models` with
 * the card's text. The registry parses the card; this module only sends it.
 */
import { requestAPI } from '../request';
import { IModel, IModelVersion } from './types';

/** What `spec.card` of a version imported from a card holds (absent keys: not stated). */
export interface ICardFacts {
  license?: string;
  license_name?: string;
  license_link?: string;
  datasets?: string[];
  base_model?: string[];
  pipeline_tag?: string;
  library_name?: string;
  language?: string[];
  metrics?: string[];
  model_index_name?: string;
  results?: ICardResult[];
}

/** One reported result of the card's model-index. */
export interface ICardResult {
  task?: string;
  task_name?: string;
  dataset?: string;
  dataset_type?: string;
  split?: string;
  metric?: string;
  metric_name?: string;
  value?: unknown;
  verified?: boolean;
}

export interface ICardImported {
  model: IModel;
  version: IModelVersion;
  /** True for a new model, false for a new version of an existing one. */
  created: boolean;
}

/** The model_type of a version imported from a card: it has no weights. */
export const CARD_MODEL_TYPE = 'card';

export function importCard(card: string, name: string): Promise<ICardImported> {
  const body: { card: string; name?: string } = { card };
  if (name.trim()) {
    body.name = name.trim();
  }
  return requestAPI<ICardImported>('models', { method: 'POST', body: JSON.stringify(body) });
}

/** The card facts of a version, or null for a version that was not imported from a card. */
export function cardFacts(version: IModelVersion): ICardFacts | null {
  if (version.model_type !== CARD_MODEL_TYPE) {
    return null;
  }
  const card = (version.spec as { card?: ICardFacts }).card;
  return card ?? {};
}
