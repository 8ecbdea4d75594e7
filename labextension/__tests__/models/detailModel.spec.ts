import { ModelDetailModel } from '../../models/detailModel';
import { called, refused, route, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const version = (n: number) => ({ version: n, stages: [] });

function routes(): Record<string, unknown> {
  return {
    'GET models/iris': { name: 'iris' },
    'GET models/iris/versions?archived=true': { versions: [version(3), version(2), version(1)] },
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
});
