/** The REST calls the experiments views make, all through the one HTTP seam. */
import { requestAPI } from '../request';
import { IProjectsPage, IRun, IRunsPage } from '../tokens';
import { IRunsQuery, ISeriesResponse } from './types';

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
  return requestAPI<IRunsPage>(`runs?${params.toString()}`);
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
