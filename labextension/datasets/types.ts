/**
 * The REST shapes of `/datasets` and `/uploads` that the datasets views read: the generated
 * ones (mlhub_ext/server/schemas/datasets.py), with the free-form manifest typed as the views read it.
 */
import type { Schemas } from '../api/types';

export interface IColumn {
  name: string;
  type: string;
}

export interface IDatasetFile {
  role: 'original' | 'parquet' | string;
  name: string;
  sha256: string;
  size: number;
}

export interface IImageManifest {
  num_images: number;
  classes: Record<string, number>;
  formats: Record<string, number>;
  size_distribution: Array<{ width: number; height: number; count: number }>;
}

/** What reading the file changed or chose (a version's `manifest.reading`); keys only where they apply. */
export type IReading = Schemas['Reading'];

/** A version's `manifest` (only on a single version), as the views read it. */
export interface IManifest {
  files: IDatasetFile[];
  schema?: IColumn[];
  images?: IImageManifest;
  reading?: IReading;
}

export type IDatasetVersion = Omit<Schemas['DatasetVersion'], 'manifest' | 'lineage'> & {
  /** source (upload, rollback, process...), parent_version, ops, filename, reading */
  lineage: Record<string, any>;
  manifest?: IManifest;
};

export type IDataset = Omit<Schemas['Dataset'], 'latest'> & {
  latest: IDatasetVersion | null;
};

export interface IDatasetsPage extends Omit<Schemas['DatasetList'], 'datasets'> {
  datasets: IDataset[];
}

export interface IPreview {
  version: number;
  kind: string;
  columns?: IColumn[];
  rows?: unknown[][];
  total_rows?: number | null;
  reading?: IReading;
}

export interface IColumnStats {
  name: string;
  type: string;
  kind: string;
  count: number;
  missing: number;
  unique: number | null;
  mean: number | null;
  std: number | null;
  min: unknown;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  max: unknown;
  histogram: { edges: number[]; counts: number[] } | null;
  /** Text and boolean columns: the most frequent values, most frequent first. */
  top?: Array<{ value: unknown; count: number }> | null;
}

export interface IStats {
  version: number;
  kind: string;
  num_rows?: number;
  columns?: IColumnStats[];
  num_images?: number;
  classes?: Record<string, number>;
  formats?: Record<string, number>;
  size_distribution?: Array<{ width: number; height: number; count: number }>;
}

export interface IThumbnails {
  version: number;
  thumbnails: Record<string, Array<{ path: string; png_base64: string }>>;
}

/** An upload; `missing` lists the `[start, end)` byte ranges not received yet. */
export type IUpload = Omit<Schemas['Upload'], 'missing' | 'received'> & {
  missing: Array<[number, number]>;
  received: Array<[number, number]>;
};

/** An upload in progress as the sidebar shows it. */
export interface IUploadProgress {
  id: string;
  filename: string;
  sent: number;
  size: number;
  stage: 'hashing' | 'sending' | 'registering' | 'done' | 'failed';
  error: string | null;
  /** The server's upload id once every byte arrived (a refused registration can be retried). */
  uploadId?: string;
  /** The dataset the registration was refused for because it exists (answerable with a new version). */
  conflictWith?: string;
}

/** Files picked or dropped, waiting for the Upload form to be filled in. */
export interface IPendingUpload {
  files: Array<{ blob: Blob; name: string }>;
  /** The sheets of the one workbook picked (null: not a workbook, or not read yet). */
  sheets: string[] | null;
  /** Open each registered dataset when done (as "Register as Dataset" does). */
  openWhenDone: boolean;
}
