/** The REST calls the experiments views make, all through the one HTTP seam. */
import { apiURL, requestAPI } from '../request';
import { IProject, IProjectsPage, IRun, IRunsPage } from '../tokens';
import {
  IArtifact,
  IRunLinks,
  IRunsQuery,
  ISeriesQuery,
  ISeriesQueryResult,
  ISeriesResponse
} from './types';

/** Projects the caller may read, by name. */
export function listProjects(limit = 500): Promise<IProjectsPage> {
  return requestAPI<IProjectsPage>(`projects?limit=${limit}`);
}

/** One page of a project's runs, filtered and ordered by the server. */
export function listRuns(query: IRunsQuery): Promise<IRunsPage> {
  const params = new URLSearchParams({
    project: query.project,
    limit: String(query.limit),
    offset: String(query.offset),
    order_by: query.orderBy,
    desc: query.desc ? 'true' : 'false'
  });
  if (query.filter.trim()) {
    params.set('filter', query.filter.trim());
  }
  if (query.q.trim()) {
    params.set('q', query.q.trim());
  }
  return requestAPI<IRunsPage>(`runs?${params.toString()}`);
}

/** Runs the server may list in one `GET /runs?ids=…` (its `ids` filter takes 1,000). */
export const RUNS_BY_IDS = 200;

/**
 * The runs of `ids` the caller may read, in the order of `ids` (one that does not exist
 * or cannot be read is left out): one `GET /runs?ids=…` per {@link RUNS_BY_IDS} ids
 * (about 6.6 kB of query string each) instead of one request per run.
 */
export async function listRunsByIds(ids: readonly string[]): Promise<IRun[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += RUNS_BY_IDS) {
    chunks.push(ids.slice(i, i + RUNS_BY_IDS));
  }
  const pages = await Promise.all(
    chunks.map(chunk => {
      const params = new URLSearchParams({ ids: chunk.join(','), limit: String(chunk.length) });
      return requestAPI<IRunsPage>(`runs?${params.toString()}`);
    })
  );
  const byId = new Map<string, IRun>();
  pages.forEach(page => page.runs.forEach(run => byId.set(run.id, run)));
  return ids.map(id => byId.get(id)).filter((run): run is IRun => run !== undefined);
}

export function getRun(id: string): Promise<IRun> {
  return requestAPI<IRun>(`runs/${encodeURIComponent(id)}`);
}

/** A metric series, downsampled by the server (min/max per bucket) to `maxPoints`. */
export function getSeries(
  runId: string,
  key: string,
  maxPoints: number
): Promise<ISeriesResponse> {
  const path = `runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(
    key
  )}?max_points=${Math.max(2, Math.round(maxPoints))}`;
  return requestAPI<ISeriesResponse>(path);
}

/** Run `task` over `items` with at most `limit` in flight, keeping the input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker)
  );
  return out;
}

/** `PATCH /runs/{id}`: rename, retag or annotate a run. */
export function patchRun(
  id: string,
  change: Partial<Pick<IRun, 'name' | 'tags' | 'notes'>>
): Promise<IRun> {
  return requestAPI<IRun>(`runs/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body: JSON.stringify(change)
  });
}

/** `POST /runs/{id}/stop`: ask a running run's process to end at its next log call. */
export function stopRun(id: string): Promise<IRun> {
  return requestAPI<IRun>(`runs/${encodeURIComponent(id)}/stop`, {
    method: 'POST',
    body: '{}'
  });
}

/** `DELETE /runs/{id}` (manage role): the run, its params, metrics and artifact names. */
export function deleteRun(id: string): Promise<void> {
  return requestAPI<void>(`runs/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function listArtifacts(id: string): Promise<{ artifacts: IArtifact[] }> {
  return requestAPI<{ artifacts: IArtifact[] }>(
    `runs/${encodeURIComponent(id)}/artifacts`
  );
}

/** Where the browser downloads an artifact of a run. */
export function artifactURL(id: string, name: string): string {
  return apiURL(
    `runs/${encodeURIComponent(id)}/artifacts/${name
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`
  );
}

/** `GET /runs/{id}/links`: model versions trained in the run, its jobs, their datasets. */
export function getRunLinks(id: string): Promise<IRunLinks> {
  return requestAPI<IRunLinks>(`runs/${encodeURIComponent(id)}/links`);
}

/** A project, with the caller's role on it. */
export function getProject(name: string): Promise<IProject> {
  return requestAPI<IProject>(`projects/${encodeURIComponent(name)}`);
}

/** `POST /metrics/query`: many runs' series in one request (see docs/api.md). */
export function queryMetrics(query: ISeriesQuery): Promise<ISeriesQueryResult> {
  return requestAPI<ISeriesQueryResult>('metrics/query', {
    method: 'POST',
    body: JSON.stringify(query)
  });
}
