import { ServerConnection } from '@jupyterlab/services';

import { apiURL, MLHubRequestError, requestAPI } from '../request';

const settings = ServerConnection.makeSettings({ baseUrl: 'http://lab/', token: 'tok', appendToken: false });

function answer(status: number, text: string, statusText = ''): void {
  jest
    .spyOn(ServerConnection, 'makeRequest')
    .mockResolvedValue(new Response(text === '' ? null : text, { status, statusText }));
}

afterEach(() => jest.restoreAllMocks());

describe('requestAPI, the one HTTP seam', () => {
  it('calls /mlhub/api/v1/<path> and parses the JSON answer', async () => {
    answer(200, '{"ok": true}');
    await expect(requestAPI('runs?project=a', {}, settings)).resolves.toEqual({ ok: true });
    const [url, init] = (ServerConnection.makeRequest as jest.Mock).mock.calls[0];
    expect(url).toBe('http://lab/mlhub/api/v1/runs?project=a');
    expect(new Headers(init.headers).has('Content-Type')).toBe(false);
  });

  it('sends a JSON body as JSON unless told otherwise', async () => {
    answer(200, '{}');
    await requestAPI('jobs', { method: 'POST', body: '{}' }, settings);
    const init = (ServerConnection.makeRequest as jest.Mock).mock.calls[0][1];
    expect(new Headers(init.headers).get('Content-Type')).toBe('application/json');
  });

  it("throws the server's own code and message", async () => {
    answer(409, '{"error": {"code": "conflict", "message": "dataset \'iris\' already exists"}}');
    const error = await requestAPI('datasets', {}, settings).catch(e => e);
    expect(error).toBeInstanceOf(MLHubRequestError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: "dataset 'iris' already exists" });
  });

  it('names the request for an answer that is not an ML Hub error', async () => {
    answer(404, '<html>Not Found</html>', 'Not Found');
    await expect(requestAPI('nope', {}, settings)).rejects.toMatchObject({
      code: 'http_error',
      message: 'GET http://lab/mlhub/api/v1/nope answered 404 Not Found'
    });
  });

  it('refuses a successful answer that is not JSON, and accepts an empty one', async () => {
    answer(200, 'hello');
    await expect(requestAPI('x', {}, settings)).rejects.toMatchObject({ code: 'malformed_response' });
    answer(204, '');
    await expect(requestAPI('x', { method: 'DELETE' }, settings)).resolves.toBeUndefined();
  });

  it('reports an unreachable server as a network error', async () => {
    jest.spyOn(ServerConnection, 'makeRequest').mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(requestAPI('x', {}, settings)).rejects.toMatchObject({
      status: 0,
      code: 'network',
      message: 'Could not reach the Jupyter server at http://lab/mlhub/api/v1/x: Failed to fetch'
    });
  });
});

describe('apiURL', () => {
  it('adds the token only where the settings ask for it', () => {
    expect(apiURL('artifacts/a?x=1', settings)).toBe('http://lab/mlhub/api/v1/artifacts/a?x=1');
    const appended = ServerConnection.makeSettings({ baseUrl: 'http://lab/', token: 't k', appendToken: true });
    expect(apiURL('artifacts/a', appended)).toBe('http://lab/mlhub/api/v1/artifacts/a?token=t%20k');
  });
});
