/**
 * What the Train form offers and reads: suggested estimators, built-in torch kinds and
 * their default params, the datasets and a dataset's columns (from its schema), and the
 * params editor's JSON check.
 */
import { useEffect, useState } from 'react';

import { getVersion as getDatasetVersion, listDatasets } from '../datasets/api';
import { IColumn, IDataset } from '../datasets/types';

export const ESTIMATORS = [
  'sklearn.ensemble.RandomForestClassifier',
  'sklearn.ensemble.RandomForestRegressor',
  'sklearn.ensemble.GradientBoostingClassifier',
  'sklearn.linear_model.LogisticRegression',
  'sklearn.linear_model.LinearRegression',
  'sklearn.svm.SVC',
  'sklearn.neighbors.KNeighborsClassifier'
];
/** ModelSpec fields the torch kinds take beside the network's params (sent top-level). */
export const TRAINING_FIELDS = ['epochs', 'batch_size', 'lr', 'optimizer', 'weight_decay', 'seed', 'test_size'];
export const DEFAULT_PARAMS: Record<string, string> = {
  sklearn: '{\n  "n_estimators": 100\n}',
  torch_mlp: '{\n  "hidden_sizes": [64, 32],\n  "epochs": 10,\n  "batch_size": 32,\n  "lr": 0.001\n}',
  torch_cnn: '{\n  "channels": [16, 32],\n  "epochs": 5,\n  "batch_size": 32,\n  "lr": 0.001\n}'
};
/** The columns an image collection trains with (as the server's job inputs name them). */
const IMAGE_COLUMNS: IColumn[] = [
  { name: 'image', type: 'binary' },
  { name: 'label', type: 'string' }
];
export const TORCH_KINDS: Array<[string, string]> = [
  ['torch_mlp', 'PyTorch MLP (tables)'],
  ['torch_cnn', 'PyTorch CNN (images)']
];

/** Parse the params editor's text: an object, or the reason it is not one. */
export function parseParams(text: string): { params?: Record<string, unknown>; error?: string } {
  if (!text.trim()) {
    return { params: {} };
  }
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { error: 'Params must be a JSON object, e.g. {"n_estimators": 100}' };
    }
    return { params: value as Record<string, unknown> };
  } catch (e) {
    return { error: `Params are not valid JSON: ${(e as Error).message}` };
  }
}

export function useDatasets(): { datasets: IDataset[]; error: string | null } {
  const [datasets, setDatasets] = useState<IDataset[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    listDatasets('', 500)
      .then(page => setDatasets(page.datasets))
      .catch(e => setError((e as Error).message));
  }, []);
  return { datasets, error };
}

export function useColumns(dataset: IDataset | undefined): IColumn[] {
  const [columns, setColumns] = useState<IColumn[]>([]);
  useEffect(() => {
    setColumns([]);
    if (!dataset) {
      return;
    }
    let live = true;
    getDatasetVersion(dataset.name, dataset.latest_version)
      .then(v => live && setColumns(v.kind === 'images' ? IMAGE_COLUMNS : (v.manifest?.schema ?? [])))
      .catch(() => live && setColumns([]));
    return () => {
      live = false;
    };
  }, [dataset?.name, dataset?.latest_version]);
  return columns;
}

