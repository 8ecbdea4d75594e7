import { DatasetViewModel } from '../../datasets/viewModel';
import { called, refused, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const version = (n: number, kind = 'table') => ({ dataset: 'iris', version: n, kind });

function routes(latest: number, kind = 'table'): Record<string, unknown> {
  const r: Record<string, unknown> = {
    'GET datasets/iris/versions': { versions: [version(2), version(1)] },
    'GET datasets/iris/versions/latest': version(latest, kind)
  };
  for (const n of [1, 2, 3]) {
    r[`GET datasets/iris/versions/${n}`] = version(n, kind);
    r[`GET datasets/iris/versions/${n}/preview?rows=20`] = { columns: [], rows: [], n };
    r[`GET datasets/iris/versions/${n}/stats`] = { columns: [], n };
    r[`GET datasets/iris/versions/${n}/thumbnails?per_class=4&size=64`] = { classes: [], n };
  }
  return r;
}

describe('DatasetViewModel', () => {
  let model: DatasetViewModel;
  beforeEach(() => {
    model = new DatasetViewModel('iris');
  });
  afterEach(() => model.dispose());

  it('loads the latest version with its preview and statistics', async () => {
    serve(routes(2));
    await model.refresh();
    expect(model.state.data).toMatchObject({
      current: version(2),
      preview: { n: 2 },
      stats: { n: 2 },
      thumbnails: null
    });
    expect(model.state.data?.versions).toHaveLength(2);
  });

  it('loads thumbnails for an image collection only', async () => {
    serve(routes(2, 'images'));
    await model.refresh();
    expect(model.state.data?.thumbnails).toEqual({ classes: [], n: 2 });
  });

  it('shows a chosen version', async () => {
    serve(routes(2));
    await model.select(1);
    expect(model.state.selected).toBe(1);
    expect(model.state.data?.current.version).toBe(1);
  });

  it('rolls back, then shows the latest', async () => {
    serve({ ...routes(3), 'POST datasets/iris/rollback': version(3) });
    await model.select(1);
    expect(await model.rollback(1)).toBe(true);
    expect(model.state).toMatchObject({ selected: 'latest', busy: false });
    expect(model.state.data?.current.version).toBe(3);
    expect(called()).toContain('POST datasets/iris/rollback');
  });

  it("shows a refused rollback's message", async () => {
    serve({ ...routes(2), 'POST datasets/iris/rollback': refused(403, 'forbidden', 'only editors may roll back') });
    await model.refresh();
    expect(await model.rollback(1)).toBe(false);
    expect(model.state).toMatchObject({ busy: false, error: 'only editors may roll back' });
  });
});
