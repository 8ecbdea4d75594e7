/**
 * Chunked, resumable upload of a browser `Blob` (a dropped or picked file, or a file
 * fetched from the Jupyter server) to `/uploads`, then its registration as a dataset
 * with the options of the Upload form (name, description, tags, new version, sheet).
 * One chunk is read at a time; the whole-file sha256 is computed as chunks go out
 * (hash-wasm's incremental SHA-256: `crypto.subtle.digest` needs the whole input at once,
 * and exists only in secure contexts).
 */
import { createSHA256 } from 'hash-wasm';

import { requestAPI } from '../request';
import { IDatasetVersion, IUpload } from './types';

export const CHUNK_SIZE = 8 * 1024 * 1024;
const RETRIES = 4;

async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const status = (error as { status?: number }).status ?? 0;
      // 4xx answers are the server's verdict on the request itself: retrying cannot help.
      if (attempt >= RETRIES || (status >= 400 && status < 500)) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

export interface IUploadOptions {
  /** Called after each chunk with the bytes sent so far. */
  onProgress?: (sent: number, size: number) => void;
  /** Called once the server assigned the upload id. */
  onCreated?: (id: string) => void;
}

/** What a registration may say besides the upload (the fields of `POST /datasets`). */
export interface IRegisterOptions {
  /** The dataset's name (default: the file name, normalised). */
  name?: string;
  description?: string;
  tags?: string[];
  /** Add a version to the existing dataset `name` (otherwise an existing name is a 409). */
  newVersion?: boolean;
  /** The sheet of an Excel workbook to read (default: the first sheet that holds rows). */
  sheet?: string;
}

/** Send `blob` as `filename` in chunks and complete it; resolves to the upload id. */
export async function sendUpload(
  blob: Blob,
  filename: string,
  options: IUploadOptions = {}
): Promise<string> {
  if (blob.size === 0) {
    throw new Error(`${filename} is empty (0 bytes); there is nothing to register`);
  }
  const upload = await requestAPI<IUpload>('uploads', {
    method: 'POST',
    body: JSON.stringify({ filename, size: blob.size, chunk_size: CHUNK_SIZE })
  });
  options.onCreated?.(upload.id);
  // One hasher follows the whole file, the other starts over for each chunk.
  const [whole, perChunk] = await Promise.all([createSHA256(), createSHA256()]);
  let sent = 0;
  for (let offset = 0; offset < blob.size; offset += upload.chunk_size) {
    const chunk = new Uint8Array(
      await blob.slice(offset, offset + upload.chunk_size).arrayBuffer()
    );
    whole.update(chunk);
    const digest = perChunk.init().update(chunk).digest('hex');
    await withRetries(() =>
      requestAPI(`uploads/${upload.id}/chunks/${offset}`, {
        method: 'PUT',
        body: chunk,
        headers: {
          'Content-Type': 'application/octet-stream',
          'X-Chunk-SHA256': digest
        }
      })
    );
    sent += chunk.length;
    options.onProgress?.(sent, blob.size);
  }
  await withRetries(() =>
    requestAPI(`uploads/${upload.id}/complete`, {
      method: 'POST',
      body: JSON.stringify({ sha256: whole.digest('hex') })
    })
  );
  return upload.id;
}

/**
 * Register a completed upload; resolves to the new version. A refused registration
 * (a 409 for an existing name, a 422 for a sheet that does not exist...) leaves the
 * upload complete, so it can be registered again with other options.
 */
export async function registerUpload(
  uploadId: string,
  options: IRegisterOptions = {}
): Promise<IDatasetVersion> {
  const body: Record<string, unknown> = {
    upload_id: uploadId,
    new_version: options.newVersion ?? false
  };
  if (options.name) {
    body.name = options.name;
  }
  if (options.description) {
    body.description = options.description;
  }
  if (options.tags && options.tags.length > 0) {
    body.tags = options.tags;
  }
  if (options.sheet) {
    body.sheet = options.sheet;
  }
  const registered = await requestAPI<{ version: IDatasetVersion }>('datasets', {
    method: 'POST',
    body: JSON.stringify(body)
  });
  return registered.version;
}

/** Send `blob` as `filename` and register it; resolves to the new version. */
export async function uploadDataset(
  blob: Blob,
  filename: string,
  options: IUploadOptions & IRegisterOptions = {}
): Promise<IDatasetVersion> {
  return registerUpload(await sendUpload(blob, filename, options), options);
}

/** Tags as typed in one text field: split at commas, trimmed, empty ones dropped, each once. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map(tag => tag.trim())
    .filter(tag => tag !== '');
  return Array.from(new Set(tags));
}
