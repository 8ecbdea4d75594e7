/**
 * Chunked, resumable upload of a browser `Blob` (a dropped or picked file, or a file
 * fetched from the Jupyter server) to `/uploads`, then its registration as a dataset.
 * One chunk is read at a time; the whole-file sha256 is computed as chunks go out.
 */
import { requestAPI } from '../request';
import { Sha256 } from './sha256';
import { IDatasetVersion, IUpload } from './types';

export const CHUNK_SIZE = 8 * 1024 * 1024;
const RETRIES = 4;

async function hexDigest(data: Uint8Array<ArrayBuffer>): Promise<string> {
  if (globalThis.crypto?.subtle) {
    const digest = await crypto.subtle.digest('SHA-256', data);
    return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('');
  }
  return new Sha256().update(data).hex();
}

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
  name?: string;
  newVersion?: boolean;
}

/** Send `blob` as `filename` and register it; resolves to the new version. */
export async function uploadDataset(
  blob: Blob,
  filename: string,
  options: IUploadOptions = {}
): Promise<IDatasetVersion> {
  if (blob.size === 0) {
    throw new Error(`${filename} is empty (0 bytes); there is nothing to register`);
  }
  const upload = await requestAPI<IUpload>('uploads', {
    method: 'POST',
    body: JSON.stringify({ filename, size: blob.size, chunk_size: CHUNK_SIZE })
  });
  options.onCreated?.(upload.id);
  const hasher = new Sha256();
  let sent = 0;
  for (let offset = 0; offset < blob.size; offset += upload.chunk_size) {
    const chunk = new Uint8Array(
      await blob.slice(offset, offset + upload.chunk_size).arrayBuffer()
    );
    hasher.update(chunk);
    const digest = await hexDigest(chunk);
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
      body: JSON.stringify({ sha256: hasher.hex() })
    })
  );
  const body: Record<string, unknown> = {
    upload_id: upload.id,
    new_version: options.newVersion ?? false
  };
  if (options.name) {
    body.name = options.name;
  }
  const registered = await requestAPI<{ version: IDatasetVersion }>('datasets', {
    method: 'POST',
    body: JSON.stringify(body)
  });
  return registered.version;
}
