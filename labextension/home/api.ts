/** REST calls of the home view, all through the one HTTP seam. */
import { requestAPI } from '../request';
import { IHome } from './types';

export function getHome(days = 14): Promise<IHome> {
  return requestAPI<IHome>(`home?days=${days}`);
}

/** Ask a running run to stop (its process ends at its next log call). */
export function stopRun(id: string): Promise<unknown> {
  return requestAPI(`runs/${encodeURIComponent(id)}/stop`, { method: 'POST', body: '{}' });
}

export function abortJob(id: string): Promise<unknown> {
  return requestAPI(`jobs/${encodeURIComponent(id)}/abort`, { method: 'POST', body: '{}' });
}
