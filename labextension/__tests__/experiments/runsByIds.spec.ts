import { listRunsByIds, RUNS_BY_IDS } from '../../experiments/api';
import { panelPlotWidth } from '../../experiments/components/PanelGrid';
import { called, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const run = (id: string) => ({ id, name: id });

describe('listRunsByIds', () => {
  it('lists the runs in one request, in the asked order, leaving out the unreadable', async () => {
    serve({ 'GET runs?ids=a%2Cb%2Cc&limit=3': { runs: [run('c'), run('a')], total: 2 } });
    const runs = await listRunsByIds(['a', 'b', 'c']);
    expect(runs.map(r => r.id)).toEqual(['a', 'c']);
    expect(called()).toHaveLength(1);
  });

  it('splits many ids into requests of at most RUNS_BY_IDS', async () => {
    const ids = Array.from({ length: RUNS_BY_IDS + 5 }, (_, i) => `r${i}`);
    const first = ids.slice(0, RUNS_BY_IDS);
    const rest = ids.slice(RUNS_BY_IDS);
    const query = (chunk: string[]) =>
      `GET runs?${new URLSearchParams({ ids: chunk.join(','), limit: String(chunk.length) }).toString()}`;
    serve({
      [query(first)]: { runs: first.map(run), total: first.length },
      [query(rest)]: { runs: rest.map(run), total: rest.length }
    });
    const runs = await listRunsByIds(ids);
    expect(runs.map(r => r.id)).toEqual(ids);
    expect(called()).toHaveLength(2);
  });
});

describe('panelPlotWidth', () => {
  it('is one grid column less the panel chrome, as auto-fill lays the grid out', () => {
    // 1,260 px fits 4 columns of >= 300 px with 20 px gaps (300 px each); 1,240 px only 3.
    expect(panelPlotWidth(1260)).toBe(300 - 18);
    expect(panelPlotWidth(1240)).toBe(400 - 18);
    // 1,000 px fits 3: (1000 - 40) / 3 = 320.
    expect(panelPlotWidth(1000)).toBe(320 - 18);
    expect(panelPlotWidth(250)).toBe(250 - 18);
    expect(panelPlotWidth(1240, 'L')).toBe(Math.floor((1240 - 20) / 2) - 18);
  });
});
