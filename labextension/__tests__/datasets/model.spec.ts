import { Blob as NodeBlob } from 'buffer';

import { DatasetsModel } from '../../datasets/model';
import { called, refused, route, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

/** jsdom's Blob cannot be read; Node's behaves as a browser's. */
const file = (name: string, text: string) => ({
  name,
  blob: new NodeBlob([text]) as unknown as Blob
});

const UPLOAD_ROUTES = {
  'POST uploads': { id: 'u1', chunk_size: 1024 },
  'PUT uploads/u1/chunks/0': undefined,
  'POST uploads/u1/complete': undefined,
  'GET datasets?limit=200': { datasets: [], total: 0 }
};

describe('DatasetsModel', () => {
  let model: DatasetsModel;
  beforeEach(() => {
    model = new DatasetsModel({ autoPoll: false });
  });
  afterEach(() => model.dispose());

  it('searches the catalogue with the query', async () => {
    serve({ 'GET datasets?limit=200&q=iris': { datasets: [{ name: 'iris' }], total: 1 } });
    model.setQuery(' iris ');
    await model.refresh();
    expect(model.state.datasets).toEqual([{ name: 'iris' }]);
    expect(model.state.query).toBe(' iris ');
  });

  it('uploads staged files with the form’s options and announces the version', async () => {
    const calls = serve({
      ...UPLOAD_ROUTES,
      'POST datasets': (body: unknown) => ({ version: { dataset: 'iris', version: 1, body } })
    });
    const registered: unknown[] = [];
    const opened: unknown[] = [];
    model.registered.connect((_, v) => registered.push(v));
    model.openRequested.connect((_, v) => opened.push(v));
    model.stage([file('iris.csv', 'a,b\n1,2\n')], true);
    expect(model.state.pending?.files).toHaveLength(1);
    const versions = await model.submitPending({ name: 'iris', tags: ['flowers'] });
    expect(versions).toHaveLength(1);
    expect(model.state.pending).toBeNull();
    expect(calls.find(c => c.route === 'POST datasets')?.body).toEqual({
      upload_id: 'u1',
      new_version: false,
      name: 'iris',
      tags: ['flowers']
    });
    expect(model.state.uploads.map(u => u.stage)).toEqual(['done']);
    expect(registered).toHaveLength(1);
    expect(opened).toHaveLength(1);
    expect(called()).toContain('GET datasets?limit=200');
  });

  it('answers an existing name with a new version, without sending the bytes again', async () => {
    serve({
      ...UPLOAD_ROUTES,
      'POST datasets': refused(409, 'conflict', "dataset 'iris' already exists; add a new version")
    });
    await model.upload([file('iris.csv', 'a\n1\n')], { description: 'v2' });
    const [progress] = model.state.uploads;
    expect(progress).toMatchObject({ stage: 'failed', conflictWith: 'iris', uploadId: 'u1' });
    expect(progress.error).toContain('already exists');

    route({ 'POST datasets': (body: unknown) => ({ version: { dataset: 'iris', version: 2, body } }) });
    const version = (await model.addAsNewVersion(progress.id)) as unknown as { body: unknown };
    expect(version.body).toEqual({ upload_id: 'u1', new_version: true, name: 'iris', description: 'v2' });
    expect(called().filter(c => c.startsWith('PUT'))).toHaveLength(1);
  });

  it('shows a failed upload with its message and lets it be dismissed', async () => {
    serve({ ...UPLOAD_ROUTES, 'POST uploads': refused(413, 'too_large', 'uploads are limited to 10 GiB') });
    const versions = await model.upload([file('big.csv', 'x')]);
    expect(versions).toEqual([]);
    const [progress] = model.state.uploads;
    expect(progress).toMatchObject({ stage: 'failed', error: 'uploads are limited to 10 GiB' });
    model.dismissUpload(progress.id);
    expect(model.state.uploads).toEqual([]);
  });

  it('does nothing for an empty pick and drops cancelled files', () => {
    model.stage([]);
    expect(model.state.pending).toBeNull();
    model.stage([file('a.csv', 'x')]);
    model.cancelPending();
    expect(model.state.pending).toBeNull();
  });
});
