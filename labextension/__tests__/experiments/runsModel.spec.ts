import { ExperimentsModel, PAGE_SIZE } from '../../experiments/runsModel';
import { called, refused, route, serve } from '../http';

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

  it('searches plain text in names and tags (q) and the filter language by its operators', async () => {
    serve({
      'GET projects?limit=500': { projects: [{ name: 'p' }], total: 1 },
      [runsOf('p')]: { runs: [run('r1'), run('r2')], total: 2 },
      [runsOf('p') + '&q=baseline+seed']: { runs: [run('r2')], total: 1 },
      [runsOf('p', 0, 'tags = baseline')]: { runs: [run('r2')], total: 1 }
    });
    await model.refresh();
    await model.setSearch('  baseline seed ');
    expect(model.state.query).toMatchObject({ filter: '', q: 'baseline seed', offset: 0 });
    expect(model.state.runs).toEqual([run('r2')]);
    await model.setSearch('tags = baseline');
    expect(model.state.query).toMatchObject({ filter: 'tags = baseline', q: '' });
    expect(model.state.total).toBe(1);
    await model.setSearch('');
    expect(model.state.query).toMatchObject({ filter: '', q: '' });
    expect(model.state.total).toBe(2);
  });

  it('selects all runs matching the plain-text search, across pages, by id', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    serve({
      'GET projects?limit=500': { projects: [{ name: 'p' }], total: 1 },
      [runsOf('p') + '&q=sweep']: { runs: ids.slice(0, PAGE_SIZE).map(id => run(id)), total: 40 },
      'GET runs?project=p&q=sweep&order_by=created_at&desc=true&ids_only=true': {
        runs: [],
        ids,
        total: 40,
        truncated: false
      }
    });
    const selections: number[] = [];
    model.selectionChanged.connect((_, runs) => selections.push(runs.length));
    await model.setSearch('sweep');
    model.toggle(run('r3') as never, true);
    await model.selectAllMatching();
    expect(model.selectedRuns.map(r => r.id)).toEqual(['r3', ...ids.filter(id => id !== 'r3')]);
    // Runs on the page keep their whole record; the others get their id and a short name.
    expect(model.state.selected.get('r0')?.status).toBe('running');
    expect(model.state.selected.get('r39')).toEqual({ id: 'r39', name: 'r39' });
    expect(model.state.selectionTruncated).toBe(false);
    expect(selections).toEqual([1, 40]);
    model.clearSelection();
    expect(model.selectedRuns).toEqual([]);
  });

  it('says when more runs matched than could be selected, and shows a refusal verbatim', async () => {
    serve({
      'GET projects?limit=500': { projects: [{ name: 'p' }], total: 1 },
      [runsOf('p')]: { runs: [run('r1')], total: 20000 },
      'GET runs?project=p&order_by=created_at&desc=true&ids_only=true': {
        runs: [],
        ids: ['r1', 'r2'],
        total: 20000,
        truncated: true
      }
    });
    await model.refresh();
    await model.selectAllMatching();
    expect(model.state.selectionTruncated).toBe(true);
    expect(model.selectedRuns).toHaveLength(2);
    route({
      'GET runs?project=p&order_by=created_at&desc=true&ids_only=true': refused(
        503,
        'unavailable',
        'the registry is busy'
      )
    });
    await model.selectAllMatching();
    expect(model.state.error).toBe('the registry is busy');
    expect(model.selectedRuns).toHaveLength(2);
  });
});
