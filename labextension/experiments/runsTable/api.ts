/** The REST calls of the runs table, parallel coordinates and importance panel. */
import type { Schemas } from '../../api/types';
import { requestAPI } from '../../request';
import { IRunsPage } from '../../tokens';

/** What the table asks `GET /runs` (and the groups and insights calls) for. */
export interface ITableQuery {
  project: string;
  /** The filter language (`params.lr < 0.01 and tags = x`). */
  filter: string;
  /** Plain text found in run names and tags. */
  q: string;
  orderBy: string;
  desc: boolean;
}

export type IRunGroups = Schemas['RunGroups'];
export type IRunGroup = Schemas['RunGroup'];
export type IInsights = Schemas['Insights'];
export type IParamImportance = Schemas['ParamImportance'];

export interface IRunIds {
  ids: string[];
  total: number;
  truncated: boolean;
}

function searchParams(query: ITableQuery): URLSearchParams {
  const params = new URLSearchParams({ project: query.project });
  if (query.filter.trim()) {
    params.set('filter', query.filter.trim());
  }
  if (query.q.trim()) {
    params.set('q', query.q.trim());
  }
  return params;
}

/**
 * One page of runs in the table's order; `group` (the extra query of one group, see
 * `groupQuery`) with `groupBy` narrows it to that group.
 */
export function listRunsPage(
  query: ITableQuery,
  offset: number,
  limit: number,
  group?: { by: string; query: Record<string, string> }
): Promise<IRunsPage> {
  const params = searchParams(query);
  params.set('limit', String(limit));
  params.set('offset', String(offset));
  params.set('order_by', query.orderBy);
  params.set('desc', query.desc ? 'true' : 'false');
  if (group) {
    params.set('group_by', group.by);
    Object.entries(group.query).forEach(([k, v]) => params.set(k, v));
  }
  return requestAPI<IRunsPage>(`runs?${params.toString()}`);
}

/** Every matching run's id (at most 10,000; `truncated` when more match). */
export async function listRunIds(query: ITableQuery): Promise<IRunIds> {
  const params = searchParams(query);
  params.set('order_by', query.orderBy);
  params.set('desc', query.desc ? 'true' : 'false');
  params.set('ids_only', 'true');
  const answer = await requestAPI<Schemas['RunList']>(`runs?${params.toString()}`);
  return { ids: answer.ids ?? [], total: answer.total, truncated: answer.truncated ?? false };
}

/** `GET /projects/{name}/runs/groups`: the groups of `by` with a metric's mean/min/max. */
export function listGroups(query: ITableQuery, by: string, metric: string): Promise<IRunGroups> {
  const params = searchParams(query);
  params.delete('project');
  params.set('by', by);
  if (metric) {
    params.set('metric', metric);
  }
  return requestAPI<IRunGroups>(
    `projects/${encodeURIComponent(query.project)}/runs/groups?${params.toString()}`
  );
}

/**
 * `POST /projects/{name}/insights`: each param's importance for `metric` over `runs`
 * (when given) or over the runs matching the query. A 422 carries the server's reason.
 */
export function getInsights(query: ITableQuery, metric: string, runs?: string[]): Promise<IInsights> {
  const body: Schemas['InsightsRequest'] = { metric };
  if (runs && runs.length) {
    body.runs = runs;
  } else {
    if (query.filter.trim()) {
      body.filter = query.filter.trim();
    }
    if (query.q.trim()) {
      body.q = query.q.trim();
    }
  }
  return requestAPI<IInsights>(`projects/${encodeURIComponent(query.project)}/insights`, {
    method: 'POST',
    body: JSON.stringify(body)
  });
}
