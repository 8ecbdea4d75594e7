import { ExperimentsModel, PAGE_SIZE } from '../../experiments/runsModel';
import { called, refused, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const run = (id: string, status = 'running') => ({ id, name: id, status });
const runsOf = (project: string, offset = 0, filter = '') =>
  `GET runs?project=${project}&limit=${PAGE_SIZE}&offset=${offset}&order_by=created_at&desc=true` +
  (filter ? `&filter=${encodeURIComponent(filter).replace(/%20/g, '+')}` : '');

describe('ExperimentsModel', () => {
  let model: ExperimentsModel;
  beforeEach(() => {
    model = new ExperimentsModel({ autoPoll: false });
  });
  afterEach(() => model.dispose());

  it('chooses the first project and loads its first page', async () => {
    serve({
      'GET projects?limit=500': { projects: [{ name: 'p' }, { name: 'q' }], total: 2 },
      [runsOf('p')]: { runs: [run('r1')], total: 1 }
    });
    await model.refresh();
    expect(model.state.query.project).toBe('p');
    expect(model.state.runs).toEqual([run('r1')]);
  });

  it('goes back to the first page on a new filter and pages with the total', async () => {
    serve({
      'GET projects?limit=500': { projects: [{ name: 'p' }], total: 1 },
      [runsOf('p')]: { runs: [run('r1')], total: 30 },
      [runsOf('p', PAGE_SIZE)]: { runs: [run('r26')], total: 30 },
      [runsOf('p', 0, 'metrics.acc > 0.9')]: { runs: [], total: 0 }
    });
    await model.refresh();
    await model.nextPage();
    expect(model.state.query.offset).toBe(PAGE_SIZE);
    await model.nextPage(); // past the last page: nothing to load
    expect(model.state.query.offset).toBe(PAGE_SIZE);
    await model.setQuery({ filter: 'metrics.acc > 0.9' });
    expect(model.state.query.offset).toBe(0);
    expect(model.state.total).toBe(0);
  });

  it('keeps ticked runs across pages, refreshed from each answer, and drops them for another project', async () => {
    serve({
      'GET projects?limit=500': { projects: [{ name: 'p' }, { name: 'q' }], total: 2 },
      [runsOf('p')]: { runs: [run('r1', 'finished')], total: 1 },
      [runsOf('q')]: { runs: [], total: 0 }
    });
    const selections: string[][] = [];
    model.selectionChanged.connect((_, runs) => selections.push(runs.map(r => r.id)));
    model.toggle(run('r1') as never, true);
    await model.refresh();
    expect(model.selectedRuns[0].status).toBe('finished');
    await model.setQuery({ project: 'q' });
    expect(model.selectedRuns).toEqual([]);
    expect(selections).toEqual([['r1'], []]);
  });

  it("shows a refused filter's message verbatim and keeps the page", async () => {
    serve({
      'GET projects?limit=500': { projects: [{ name: 'p' }], total: 1 },
      [runsOf('p')]: { runs: [run('r1')], total: 1 },
      [runsOf('p', 0, 'metrics.acc >')]: refused(400, 'bad_filter', "expected a value after '>'")
    });
    await model.refresh();
    await model.setQuery({ filter: 'metrics.acc >' });
    expect(model.state.error).toBe("expected a value after '>'");
    expect(model.state.runs).toEqual([run('r1')]);
    expect(called()).toHaveLength(4);
  });
});
