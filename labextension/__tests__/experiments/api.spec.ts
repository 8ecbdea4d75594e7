import { listRuns, mapLimited } from '../../experiments/api';
import { called, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

describe('experiments REST calls', () => {
  it('asks for one page of runs with the filter trimmed', async () => {
    serve({ 'GET runs?project=a+b&limit=25&offset=50&order_by=metrics.acc&desc=false&filter=tags+%3D+x': { runs: [], total: 0 } });
    await listRuns({ project: 'a b', filter: ' tags = x ', q: '  ', orderBy: 'metrics.acc', desc: false, limit: 25, offset: 50 });
    expect(called()).toHaveLength(1);
  });

  it('sends plain text as q, trimmed, beside the filter', async () => {
    serve({ 'GET runs?project=p&limit=25&offset=0&order_by=created&desc=true&q=seed+7': { runs: [], total: 0 } });
    await listRuns({ project: 'p', filter: '', q: ' seed 7 ', orderBy: 'created', desc: true, limit: 25, offset: 0 });
    expect(called()).toHaveLength(1);
  });

  it('maps with at most `limit` tasks in flight, keeping the order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimited([5, 1, 4, 2, 3], 2, async n => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise(resolve => setTimeout(resolve, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
