/**
 * What the Galata specs share: calls to the ML Hub REST API from the test (to seed data
 * the views then show), with the Jupyter server's XSRF cookie echoed back.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { createHash } from 'crypto';

export const API = '/mlhub/api/v1';

/** Headers for a write: the Jupyter server's XSRF cookie echoed back, where it set one. */
export async function xsrfHeaders(page: Page): Promise<Record<string, string>> {
  const cookies = await page.context().cookies();
  const xsrf = cookies.find(cookie => cookie.name === '_xsrf');
  return xsrf ? { 'X-XSRFToken': xsrf.value } : {};
}

/**
 * Call `/mlhub/api/v1/<path>` as the page's user and return the parsed answer (null for a
 * 204); anything but a 2xx fails the test with the server's answer. A `Buffer` is sent as
 * bytes, anything else as JSON.
 */
export async function api(
  page: Page,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown
): Promise<any> {
  const headers = await xsrfHeaders(page);
  const response = await page.request.fetch(`${API}/${path}`, {
    method,
    data,
    headers: data instanceof Buffer ? { ...headers, 'Content-Type': 'application/octet-stream' } : headers
  });
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true);
  return response.status() === 204 ? null : response.json();
}

/** Upload `text` as `filename` in one chunk and register it; returns the registration. */
export async function registerCsv(page: Page, filename: string, text: string): Promise<any> {
  const headers = await xsrfHeaders(page);
  const data = Buffer.from(text);
  const sha = createHash('sha256').update(data).digest('hex');
  const upload = await api(page, 'POST', 'uploads', { filename, size: data.length });
  const chunk = await page.request.put(`${API}/uploads/${upload.id}/chunks/0`, {
    data,
    headers: { ...headers, 'Content-Type': 'application/octet-stream', 'X-Chunk-SHA256': sha }
  });
  expect(chunk.ok(), await chunk.text()).toBe(true);
  await api(page, 'POST', `uploads/${upload.id}/complete`, { sha256: sha });
  return api(page, 'POST', 'datasets', { upload_id: upload.id });
}
