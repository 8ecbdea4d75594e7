/**
 * The one seam between the extension and HTTP: every call to the ML Hub REST API
 * goes through {@link requestAPI}, which throws {@link MLHubRequestError} carrying the
 * server's own error code and message.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** A failed ML Hub request: the HTTP status and the server's `{"error": {...}}` body. */
export class MLHubRequestError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'MLHubRequestError';
    this.status = status;
    this.code = code;
  }
}

/**
 * Call `/mlhub/api/v1/<path>` on the Jupyter server and return the parsed JSON body.
 *
 * @param path - relative to the API root, with its query string (e.g. `runs?project=a`)
 * @param init - fetch options; a `body` object is not accepted, pass a JSON string
 * @param settings - the server connection, defaulting to the page's
 * @param options - `exactIntegers`: integers beyond 2**53 (which a JS number would round)
 *   come back as `bigint` (for data values: dataset previews and statistics)
 * @throws MLHubRequestError for a non-2xx answer or one that is not JSON
 */
export async function requestAPI<T>(
  path = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  options: { exactIntegers?: boolean } = {}
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, 'mlhub', 'api', 'v1', path);
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { ...init, headers },
      settings
    );
  } catch (error) {
    throw new MLHubRequestError(
      0,
      'network',
      `Could not reach the Jupyter server at ${url}: ${String(
        (error as Error).message ?? error
      )}`
    );
  }

  const text = await response.text();
  const body = parseJSON(text, options.exactIntegers ?? false);

  if (!response.ok) {
    const served = errorBody(body);
    if (served) {
      throw new MLHubRequestError(response.status, served.code, served.message);
    }
    // Not an ML Hub error body (e.g. Jupyter's own HTML 404 page): report what came back.
    throw new MLHubRequestError(
      response.status,
      'http_error',
      `${init.method ?? 'GET'} ${url} answered ${response.status} ${
        response.statusText
      }`.trim()
    );
  }
  if (text.length === 0) {
    return undefined as T;
  }
  if (body === undefined) {
    throw new MLHubRequestError(
      response.status,
      'malformed_response',
      `${init.method ?? 'GET'} ${url} answered ${response.status} with a body that is not JSON`
    );
  }
  return body as T;
}

function parseJSON(text: string, exactIntegers: boolean): unknown {
  if (text.length === 0) {
    return undefined;
  }
  try {
    return exactIntegers ? JSON.parse(text, exactReviver) : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A `JSON.parse` reviver keeping integers beyond 2**53 exact, as `bigint`, read from the
 * number's source text (JSON.parse source text access, Chromium 114+, Firefox 135+).
 * A number written with a fraction or exponent stays a float, as Python wrote it.
 */
function exactReviver(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    typeof context?.source === 'string' &&
    /^-?\d+$/.test(context.source)
  ) {
    return BigInt(context.source);
  }
  return value;
}

function errorBody(body: unknown): { code: string; message: string } | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) {
    return null;
  }
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) {
    return null;
  }
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') {
    return null;
  }
  return { code: typeof code === 'string' ? code : 'unknown', message };
}

/**
 * The address of `/mlhub/api/v1/<path>` for the browser to fetch itself (a download
 * link), with the token in the query only where the page settings ask for it.
 */
export function apiURL(
  path: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  let url = URLExt.join(settings.baseUrl, 'mlhub', 'api', 'v1', path);
  if (settings.appendToken && settings.token !== '') {
    url += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(settings.token)}`;
  }
  return url;
}

/**
 * Open the ML Hub stream (`/mlhub/api/v1/stream`) the way JupyterLab opens its own
 * sockets: on the server's `wsUrl`, with the token in the query only where the page
 * settings ask for it (cookies authenticate otherwise).
 */
export function streamSocket(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): WebSocket {
  let url = URLExt.join(settings.wsUrl, 'mlhub', 'api', 'v1', 'stream');
  if (settings.appendToken && settings.token !== '') {
    url += `?token=${encodeURIComponent(settings.token)}`;
  }
  return new settings.WebSocket(url);
}

/**
 * A file of the Jupyter server's contents (`/files/<path>`) as a `Blob`, e.g. to register
 * it as a dataset from the file browser. The browser keeps large blobs on disk.
 */
export async function requestFile(
  path: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Blob> {
  const url = URLExt.join(settings.baseUrl, 'files', URLExt.encodeParts(path));
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, {}, settings);
  } catch (error) {
    throw new MLHubRequestError(
      0,
      'network',
      `Could not reach the Jupyter server at ${url}: ${String((error as Error).message ?? error)}`
    );
  }
  if (!response.ok) {
    throw new MLHubRequestError(
      response.status,
      'http_error',
      `GET ${url} answered ${response.status} ${response.statusText}`.trim()
    );
  }
  return response.blob();
}
