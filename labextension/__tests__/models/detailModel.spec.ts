import { ModelDetailModel, VERSIONS_PAGE } from '../../models/detailModel';
import { called, refused, route, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const version = (n: number) => ({ version: n, stages: [] });

/** `GET models/<name>/versions` for a page, as `pageVersions` asks for it. */
const pageOf = (name: string, limit: number, offset = 0, order = 'desc', q = '') =>
  `GET models/${name}/versions?archived=true&limit=${limit}&offset=${offset}&order=${order}` +
  (q ? `&q=${encodeURIComponent(q)}` : '');

function routes(): Record<string, unknown> {
  return {
    'GET models/iris': { name: 'iris' },
    [pageOf('iris', VERSIONS_PAGE)]: { versions: [version(3), version(2), version(1)], total: 3 },
    'GET models/iris/aliases?limit=20': { aliases: {}, history: [] },
    'GET models/iris/versions/1': { ...version(1), detail: true },
    'GET models/iris/versions/2': { ...version(2), detail: true },
    'GET models/iris/versions/3': { ...version(3), detail: true }
  };
}

describe('ModelDetailModel', () => {
  it('shows the newest version unless another was asked for', async () => {
    serve(routes());
    const model = new ModelDetailModel('iris');
    await model.refresh();
    expect(model.state).toMatchObject({ selected: 3, detail: { version: 3 }, loads: 1 });
    model.dispose();

    const opened = new ModelDetailModel('iris', { version: 2 });
    await opened.refresh();
    expect(opened.state).toMatchObject({ selected: 2, detail: { version: 2 } });
    // A version that is not (or no longer) there: the newest instead.
    await opened.show(9);
    expect(opened.state.selected).toBe(3);
    opened.dispose();
  });

  it('fetches only the detail of a version chosen', async () => {
    serve(routes());
    const model = new ModelDetailModel('iris');
    await model.refresh();
    serve(routes());
    await model.select(1);
    expect(called()).toEqual(['GET models/iris/versions/1']);
    expect(model.state.detail).toMatchObject({ version: 1 });
    model.dispose();
  });

  it('promotes, then reloads; a refusal keeps the message', async () => {
    serve({ ...routes(), 'PUT models/iris/aliases/production': {} });
    const model = new ModelDetailModel('iris');
    await model.refresh();
    expect(await model.promote('production', 2)).toBe(true);
    expect(model.state.loads).toBe(2);
    route({ 'PATCH models/iris/versions/2': refused(403, 'forbidden', 'only editors may publish') });
    expect(await model.patch(2, { published: true })).toBe(false);
    expect(model.state).toMatchObject({ busy: false, error: 'only editors may publish' });
    model.dispose();
  });

  it('pages a model of 1,200 versions: first page, load more, search and order on the server', async () => {
    const all = Array.from({ length: 1200 }, (_, i) => version(1200 - i));
    const page = (offset: number, limit = VERSIONS_PAGE) => ({
      versions: all.slice(offset, offset + limit),
      total: 1200
    });
    serve({
      'GET models/big': { name: 'big' },
      'GET models/big/aliases?limit=20': { aliases: {}, history: [] },
      [pageOf('big', VERSIONS_PAGE)]: page(0),
      [pageOf('big', VERSIONS_PAGE, VERSIONS_PAGE)]: page(VERSIONS_PAGE),
      [pageOf('big', 2 * VERSIONS_PAGE)]: page(0, 2 * VERSIONS_PAGE),
      [pageOf('big', VERSIONS_PAGE, 0, 'asc', 'v7')]: { versions: [version(7)], total: 1 },
      'GET models/big/versions/1200': version(1200),
      'GET models/big/versions/3': version(3)
    });
    const model = new ModelDetailModel('big', { version: 3 });
    await model.refresh();
    // Never all at once; the version asked for is shown though it is not on the page.
    expect(model.state.versions).toHaveLength(VERSIONS_PAGE);
    expect(model.state).toMatchObject({ versionsTotal: 1200, selected: 3, detail: { version: 3 } });
    await model.loadMore();
    expect(model.state.versions.map(v => v.version).slice(VERSIONS_PAGE - 1, VERSIONS_PAGE + 1)).toEqual([
      1200 - VERSIONS_PAGE + 1,
      1200 - VERSIONS_PAGE
    ]);
    // A reload fetches as many as were shown, in one request.
    await model.refresh();
    expect(model.state.versions).toHaveLength(2 * VERSIONS_PAGE);
    await model.setVersionsQuery({ q: 'v7', order: 'asc' });
    expect(model.state.versions).toEqual([version(7)]);
    expect(model.state.versionsTotal).toBe(1);
    await model.loadMore(); // all matches shown: nothing to fetch
    expect(called().filter(c => c.includes('q=v7'))).toHaveLength(1);
    model.dispose();
  });

  it("keeps the list and shows the server's message when a search is refused", async () => {
    serve({
      ...routes(),
      [pageOf('iris', VERSIONS_PAGE, 0, 'desc', 'x'.repeat(300))]: refused(
        422,
        'invalid',
        'q must be text of at most 256 characters'
      )
    });
    const model = new ModelDetailModel('iris');
    await model.refresh();
    await model.setVersionsQuery({ q: 'x'.repeat(300) });
    expect(model.state).toMatchObject({ error: 'q must be text of at most 256 characters', loading: false });
    expect(model.state.versions).toHaveLength(3);
    model.dispose();
  });
});
