/** The REST calls of the models views, all through the one HTTP seam (`request.ts`). */
import { requestAPI } from '../request';
import {
  IAliases,
  IEvaluations,
  IInferencesPage,
  IJob,
  IJobsPage,
  IModel,
  IModelsPage,
  IModelsQuery,
  IModelVersion,
  IPrediction,
  IReport,
  ISweep,
  ITrainRequest,
  IVersionList,
  IVersionPatch,
  IVersionsPage
} from './types';

const enc = encodeURIComponent;

function m(name: string): string {
  return `models/${enc(name)}`;
}

function v(name: string, version: number | string): string {
  return `${m(name)}/versions/${enc(String(version))}`;
}

export function listModels(query: IModelsQuery, limit = 200): Promise<IModelsPage> {
  const params = new URLSearchParams({ limit: String(limit) });
  for (const key of ['q', 'tag', 'stage', 'type', 'developer'] as const) {
    const value = query[key].trim();
    if (value) {
      params.set(key, value);
    }
  }
  return requestAPI<IModelsPage>(`models?${params.toString()}`);
}

export function getModel(name: string): Promise<IModel> {
  return requestAPI<IModel>(m(name));
}

/**
 * One page of a model's versions, archived ones included (`GET /models/{name}/versions`
 * with `limit`/`offset`): newest (`desc`) or oldest first, `q` found in tags, description,
 * estimator, developer, status or the version number; `total` counts every match.
 */
export function pageVersions(name: string, page: IVersionsPage): Promise<IVersionList> {
  const params = new URLSearchParams({
    archived: 'true',
    limit: String(page.limit),
    offset: String(page.offset),
    order: page.order
  });
  if (page.q.trim()) {
    params.set('q', page.q.trim());
  }
  return requestAPI<IVersionList>(`${m(name)}/versions?${params.toString()}`);
}

export function getVersion(name: string, version: number | string): Promise<IModelVersion> {
  return requestAPI<IModelVersion>(v(name, version));
}

export function patchVersion(
  name: string,
  version: number,
  patch: IVersionPatch
): Promise<IModelVersion> {
  return requestAPI<IModelVersion>(v(name, version), {
    method: 'PATCH',
    body: JSON.stringify(patch)
  });
}

/** The holdout evaluation and every evaluation on another dataset, oldest first. */
export function listEvaluations(name: string, version: number): Promise<IEvaluations> {
  return requestAPI<IEvaluations>(`${v(name, version)}/evaluation`);
}

/** Queue an evaluation of the version on a dataset (the training target unless `target`). */
export function evaluateVersion(
  name: string,
  version: number,
  body: { dataset: string; version?: number; target?: string }
): Promise<IJob> {
  return requestAPI<IJob>(`${v(name, version)}/evaluations`, {
    method: 'POST',
    body: JSON.stringify(body)
  });
}

export function getAliases(name: string, limit = 20): Promise<IAliases> {
  return requestAPI<IAliases>(`${m(name)}/aliases?limit=${limit}`);
}

/** Point `stage` at `version`: a promotion, or a roll back when the version is older. */
export function setAlias(name: string, stage: string, version: number): Promise<unknown> {
  return requestAPI(`${m(name)}/aliases/${enc(stage)}`, {
    method: 'PUT',
    body: JSON.stringify({ version })
  });
}

export function deleteAlias(name: string, stage: string): Promise<void> {
  return requestAPI<void>(`${m(name)}/aliases/${enc(stage)}`, { method: 'DELETE' });
}

export function listInferences(
  name: string,
  version: number,
  limit: number,
  offset: number
): Promise<IInferencesPage> {
  return requestAPI<IInferencesPage>(
    `${v(name, version)}/inferences?limit=${limit}&offset=${offset}`
  );
}

/**
 * Predict with version `version` of `name` (not a stage); the answer is stored as an
 * inference. `inputs`: rows as records, or base64 / `data:` URL strings for image models.
 */
export function predictVersion(name: string, version: number, inputs: unknown[]): Promise<IPrediction> {
  return requestAPI<IPrediction>(`${m(name)}/predictions`, {
    method: 'POST',
    body: JSON.stringify({ version, inputs })
  });
}

export function getReport(name: string, version: number): Promise<IReport> {
  return requestAPI<IReport>(`${v(name, version)}/report`);
}

export function listJobs(limit = 20): Promise<IJobsPage> {
  return requestAPI<IJobsPage>(`jobs?limit=${limit}`);
}

export function getJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(`jobs/${enc(id)}`);
}

export function submitTrain(body: ITrainRequest): Promise<IJob> {
  return requestAPI<IJob>('jobs', { method: 'POST', body: JSON.stringify(body) });
}

/** Queue a grid sweep: each trial a job of its own; the best becomes the next version. */
export function submitSweep(body: ITrainRequest, sweep: ISweep): Promise<IJob> {
  return requestAPI<IJob>('sweeps', { method: 'POST', body: JSON.stringify({ ...body, ...sweep }) });
}

export function abortJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(`jobs/${enc(id)}/abort`, { method: 'POST' });
}
