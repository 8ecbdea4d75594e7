/**
 * What the Train form offers and reads: suggested estimators, built-in torch kinds and
 * their default params, the datasets and a dataset version's columns (from its schema).
 */
import { useResource } from '../components/useModel';

import { getVersion as getDatasetVersion, listDatasets } from '../datasets/api';
import { IColumn, IDataset } from '../datasets/types';

export const PIPELINE = 'sklearn.pipeline.Pipeline';
export const ESTIMATORS = [
  'sklearn.ensemble.RandomForestClassifier',
  'sklearn.ensemble.RandomForestRegressor',
  'sklearn.ensemble.GradientBoostingClassifier',
  'sklearn.ensemble.HistGradientBoostingClassifier',
  'sklearn.ensemble.HistGradientBoostingRegressor',
  'sklearn.linear_model.LogisticRegression',
  'sklearn.linear_model.LinearRegression',
  'sklearn.linear_model.Ridge',
  'sklearn.svm.SVC',
  'sklearn.neighbors.KNeighborsClassifier',
  PIPELINE
];
/** The steps a new pipeline starts from: `[name, dotted path, params]` each. */
export const DEFAULT_STEPS =
  '[\n  ["scale", "sklearn.preprocessing.StandardScaler", {}],\n  ["model", "sklearn.linear_model.LogisticRegression", {}]\n]';
export const DEFAULT_PARAMS: Record<string, string> = {
  sklearn: '{\n  "n_estimators": 100\n}',
  torch_mlp: '{\n  "hidden_sizes": [64, 32],\n  "epochs": 10,\n  "batch_size": 32,\n  "lr": 0.001\n}',
  torch_cnn: '{\n  "channels": [16, 32],\n  "image_size": null,\n  "epochs": 5,\n  "batch_size": 32,\n  "lr": 0.001\n}'
};
/** Stable empty lists: a new `[]` on every render would re-run effects that depend on them. */
const NO_DATASETS: IDataset[] = [];
const NO_COLUMNS: IColumn[] = [];
/** The columns an image collection trains with (as the server's job inputs name them). */
const IMAGE_COLUMNS: IColumn[] = [
  { name: 'image', type: 'binary' },
  { name: 'label', type: 'string' }
];
export const TORCH_KINDS: Array<[string, string]> = [
  ['torch_mlp', 'PyTorch MLP (tables)'],
  ['torch_cnn', 'PyTorch CNN (images)']
];

export function useDatasets(): { datasets: IDataset[]; error: string | null } {
  const loaded = useResource(() => listDatasets('', 500), []);
  return { datasets: loaded.value?.datasets ?? NO_DATASETS, error: loaded.error };
}

/** The columns of version `version` of dataset `name` (none until both are known). */
export function useColumns(name: string | undefined, version: number | undefined): IColumn[] {
  const loaded = useResource(
    async () => {
      if (!name || version === undefined) {
        return NO_COLUMNS;
      }
      const v = await getDatasetVersion(name, version);
      return v.kind === 'images' ? IMAGE_COLUMNS : (v.manifest?.schema ?? NO_COLUMNS);
    },
    [name, version],
    // Another dataset's columns would offer a target it does not have.
    { keep: false }
  );
  return loaded.error ? NO_COLUMNS : (loaded.value ?? NO_COLUMNS);
}
