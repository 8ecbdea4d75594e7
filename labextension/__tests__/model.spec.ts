import { MLHubModel, versionMismatch } from '../model';
import { called, refused, route, serve, settle } from './http';
import { EXTENSION_VERSION } from '../version';

jest.mock('../request', () => jest.requireActual('./http').mockedRequest());

const project = (name: string) => ({ name, owner: 'ada', visibility: 'private', role: 'owner' });

describe('MLHubModel', () => {
  let model: MLHubModel;
  beforeEach(() => {
    model = new MLHubModel({ autoPoll: false });
  });
  afterEach(() => model.dispose());

  it('loads the handshake, the projects and each project’s latest runs', async () => {
    serve({
      'GET ': { version: EXTENSION_VERSION, mode: 'local', user: 'ada' },
      'GET projects': { projects: [project('a b')], total: 1 },
      'GET runs?project=a%20b&limit=5': { runs: [{ id: 'r1' }], total: 7 }
    });
    await model.refresh();
    expect(model.state).toMatchObject({
      handshake: { user: 'ada' },
      projectTotal: 1,
      versionMismatch: null,
      error: null,
      loading: false
    });
    expect(model.state.projects).toEqual([{ project: project('a b'), runs: [{ id: 'r1' }], runTotal: 7 }]);
    expect(model.state.updatedAt).toBeInstanceOf(Date);
  });

  it('names a version mismatch between server and extension', async () => {
    serve({ 'GET ': { version: '0.0.1', mode: 'hub', user: 'ada' }, 'GET projects': { projects: [], total: 0 } });
    await model.refresh();
    expect(model.state.versionMismatch).toContain('ML Hub server 0.0.1');
  });

  it("keeps the projects and shows the server's message when a reload fails", async () => {
    serve({
      'GET ': { version: EXTENSION_VERSION, mode: 'local', user: 'ada' },
      'GET projects': { projects: [], total: 0 }
    });
    await model.refresh();
    route({ 'GET projects': refused(500, 'internal', 'database is locked') });
    await model.refresh();
    expect(model.state.error).toBe('database is locked');
    expect(model.state.handshake).not.toBeNull();
  });

  it('loads again after a tick in flight when a refresh is asked for meanwhile', async () => {
    let answer: (value: unknown) => void = () => undefined;
    serve({
      'GET ': () => new Promise(resolve => (answer = resolve)),
      'GET projects': { projects: [], total: 0 }
    });
    const first = model.refresh();
    const second = model.refresh();
    answer({ version: EXTENSION_VERSION, mode: 'local', user: 'ada' });
    await settle();
    answer({ version: EXTENSION_VERSION, mode: 'local', user: 'bob' });
    await Promise.all([first, second]);
    expect(called().filter(c => c === 'GET ')).toHaveLength(2);
    expect(model.state.handshake?.user).toBe('bob');
  });

  it('takes an injected fetcher', async () => {
    const fetch = jest.fn(async (path: string) =>
      path === '' ? { version: EXTENSION_VERSION, mode: 'local', user: 'x' } : { projects: [], total: 0 }
    );
    const injected = new MLHubModel({ autoPoll: false, fetch: fetch as never });
    await injected.refresh();
    expect(fetch.mock.calls.map(c => c[0])).toEqual(['', 'projects']);
    injected.dispose();
  });
});

describe('versionMismatch', () => {
  it('is null for equal versions and says what to do otherwise', () => {
    expect(versionMismatch('1.0.0', '1.0.0')).toBeNull();
    expect(versionMismatch('1.0.0', '1.1.0')).toMatch(/reinstall ML Hub .* restart JupyterLab/);
  });
});
