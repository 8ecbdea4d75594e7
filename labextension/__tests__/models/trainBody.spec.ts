import { IDataset } from '../../datasets/types';
import {
  defaultDataset,
  defaultEvaluationDataset,
  isHoldout,
  parseParams,
  parseSpace,
  parseSteps
} from '../../models/trainBody';
import { IModelVersion } from '../../models/types';

const dataset = (name: string, tags: string[] = [], lineage: Record<string, unknown> = {}) =>
  ({ name, tags, latest: { lineage } }) as unknown as IDataset;

describe('train form inputs', () => {
  it('recognises holdouts by name, tag or lineage', () => {
    expect(isHoldout(dataset('iris_holdout'))).toBe(true);
    expect(isHoldout(dataset('holdout-2024'))).toBe(true);
    expect(isHoldout(dataset('withholdouts'))).toBe(false);
    expect(isHoldout(dataset('iris', ['Holdout']))).toBe(true);
    expect(isHoldout(dataset('iris', [], { split: 'holdout' }))).toBe(true);
    expect(defaultDataset([dataset('a_holdout'), dataset('iris')])).toBe('iris');
    expect(defaultDataset([dataset('a_holdout')])).toBe('');
  });

  it('evaluates on the training dataset’s holdout, else the training dataset', () => {
    const trainedOn = { dataset: { name: 'iris', version: 1 } } as unknown as IModelVersion;
    const all = [dataset('wine'), dataset('iris'), dataset('iris_holdout')];
    expect(defaultEvaluationDataset(all, trainedOn)).toBe('iris_holdout');
    expect(defaultEvaluationDataset(all.slice(0, 2), trainedOn)).toBe('iris');
    expect(defaultEvaluationDataset([dataset('wine')], trainedOn)).toBe('wine');
    expect(defaultEvaluationDataset([], trainedOn)).toBe('');
  });

  it('parses the editors’ JSON, or says why not', () => {
    expect(parseParams('')).toEqual({ params: {} });
    expect(parseParams('{"n_estimators": 10}')).toEqual({ params: { n_estimators: 10 } });
    expect(parseParams('[1]').error).toMatch(/must be a JSON object/);
    expect(parseParams('{').error).toMatch(/not valid JSON/);
    expect(parseSteps('[["scale", "sklearn.preprocessing.StandardScaler", {}]]').steps).toHaveLength(1);
    expect(parseSteps('[]').error).toMatch(/JSON list of \[name, dotted path, params\]/);
    expect(parseSpace('{"max_depth": [4, null]}')).toEqual({ space: { max_depth: [4, null] } });
    expect(parseSpace('{"max_depth": []}').error).toBe('The values of "max_depth" must be a non-empty list');
    expect(parseSpace('{}').error).toMatch(/JSON object of value lists/);
  });
});
