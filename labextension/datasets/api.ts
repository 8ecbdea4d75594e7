/** The REST calls of the datasets views, all through the one HTTP seam (`request.ts`). */
import { requestAPI } from '../request';
import {
  IDataset,
  IDatasetsPage,
  IDatasetVersion,
  IPreview,
  IStats,
  IThumbnails
} from './types';

const enc = encodeURIComponent;

export function listDatasets(q = '', limit = 200): Promise<IDatasetsPage> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (q.trim()) {
    params.set('q', q.trim());
  }
  return requestAPI<IDatasetsPage>(`datasets?${params.toString()}`);
}

export function getDataset(name: string): Promise<IDataset> {
  return requestAPI<IDataset>(`datasets/${enc(name)}`);
}

export async function listVersions(name: string): Promise<IDatasetVersion[]> {
  const body = await requestAPI<{ versions: IDatasetVersion[] }>(
    `datasets/${enc(name)}/versions`
  );
  return body.versions;
}

export function getVersion(
  name: string,
  version: number | 'latest'
): Promise<IDatasetVersion> {
  return requestAPI<IDatasetVersion>(`datasets/${enc(name)}/versions/${version}`);
}

/** The first rows; integers beyond 2**53 arrive exact, as `bigint`. */
export function getPreview(name: string, version: number, rows = 20): Promise<IPreview> {
  return requestAPI<IPreview>(
    `datasets/${enc(name)}/versions/${version}/preview?rows=${rows}`,
    {},
    undefined,
    { exactIntegers: true }
  );
}

/** Column statistics; an integer column's min and max beyond 2**53 arrive exact, as `bigint`. */
export function getStats(name: string, version: number): Promise<IStats> {
  return requestAPI<IStats>(`datasets/${enc(name)}/versions/${version}/stats`, {}, undefined, {
    exactIntegers: true
  });
}

export function getThumbnails(name: string, version: number): Promise<IThumbnails> {
  return requestAPI<IThumbnails>(
    `datasets/${enc(name)}/versions/${version}/thumbnails?per_class=4&size=64`
  );
}

export function rollback(name: string, version: number): Promise<IDatasetVersion> {
  return requestAPI<IDatasetVersion>(`datasets/${enc(name)}/rollback`, {
    method: 'POST',
    body: JSON.stringify({ version })
  });
}
