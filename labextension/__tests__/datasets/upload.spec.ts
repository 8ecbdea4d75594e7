import { Blob as NodeBlob } from 'buffer';
import { createHash } from 'crypto';

import { MLHubRequestError, requestAPI } from '../../request';
import { parseTags, registerUpload, sendUpload, uploadDataset } from '../../datasets/upload';

jest.mock('../../request', () => {
  const actual = jest.requireActual('../../request');
  return { ...actual, requestAPI: jest.fn() };
});

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

/** Known SHA-256 digests (FIPS 180-4 examples and the digest of nothing). */
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const ABC_448 = '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1';
const MILLION_A = 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0';

const bytes = (text: string) => new TextEncoder().encode(text);

/** jsdom's Blob cannot be read (no `arrayBuffer`); Node's is what a browser's does. */
const blob = (text: string) => new NodeBlob(text === '' ? [] : [bytes(text)]) as unknown as Blob;

interface ICall {
  path: string;
  init: RequestInit;
}

/** Answer like the server: an upload of `chunkSize`, then empty answers; record the calls. */
function serve(chunkSize: number, fail: (call: ICall) => Error | null = () => null): ICall[] {
  const calls: ICall[] = [];
  request.mockImplementation(async (path = '', init = {}) => {
    const call = { path, init };
    calls.push(call);
    const error = fail(call);
    if (error) {
      throw error;
    }
    if (path === 'uploads') {
      return { id: 'u1', chunk_size: chunkSize } as never;
    }
    if (path === 'datasets') {
      return { version: { name: 'abc', version: 1 } } as never;
    }
    return undefined as never;
  });
  return calls;
}

const header = (call: ICall, name: string) => new Headers(call.init.headers).get(name);
const completed = (calls: ICall[]) =>
  JSON.parse(calls.find(c => c.path.endsWith('/complete'))!.init.body as string).sha256;

beforeEach(() => request.mockReset());

describe('sendUpload', () => {
  it('sends one chunk with its digest and completes with the whole digest', async () => {
    const calls = serve(1024);
    const progress: Array<[number, number]> = [];
    const id = await sendUpload(blob('abc'), 'abc.csv', {
      onProgress: (sent, size) => progress.push([sent, size])
    });
    expect(id).toBe('u1');
    expect(JSON.parse(calls[0].init.body as string)).toMatchObject({ filename: 'abc.csv', size: 3 });
    expect(calls[1].path).toBe('uploads/u1/chunks/0');
    expect(header(calls[1], 'X-Chunk-SHA256')).toBe(ABC);
    expect(completed(calls)).toBe(ABC);
    expect(progress).toEqual([[3, 3]]);
  });

  it('hashes the whole file incrementally across chunks', async () => {
    const text = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
    const calls = serve(5);
    await sendUpload(blob(text), 'x.csv');
    const chunks = calls.filter(c => c.path.includes('/chunks/'));
    expect(chunks.map(c => c.path)).toEqual(
      Array.from({ length: Math.ceil(text.length / 5) }, (_, i) => `uploads/u1/chunks/${i * 5}`)
    );
    chunks.forEach((call, i) => {
      const piece = text.slice(i * 5, i * 5 + 5);
      expect(header(call, 'X-Chunk-SHA256')).toBe(createHash('sha256').update(piece).digest('hex'));
    });
    expect(completed(calls)).toBe(ABC_448);
  });

  it('matches the digest of a million bytes sent in uneven chunks', async () => {
    const calls = serve(65_537);
    await sendUpload(blob('a'.repeat(1_000_000)), 'a.bin');
    expect(completed(calls)).toBe(MILLION_A);
  });

  it('retries a chunk the network lost, not one the server refused', async () => {
    let lost = 1;
    const calls = serve(1024, call =>
      call.path.includes('/chunks/') && lost-- > 0 ? new MLHubRequestError(0, 'network', 'offline') : null
    );
    await sendUpload(blob('abc'), 'abc.csv'); // one retry, after a quarter second
    expect(calls.filter(c => c.path.includes('/chunks/'))).toHaveLength(2);

    const refused = serve(1024, call =>
      call.path.includes('/chunks/') ? new MLHubRequestError(409, 'conflict', 'digest mismatch') : null
    );
    await expect(sendUpload(blob('abc'), 'abc.csv')).rejects.toThrow('digest mismatch');
    expect(refused.filter(c => c.path.includes('/chunks/'))).toHaveLength(1);
  });

  it('refuses an empty file before asking the server', async () => {
    const calls = serve(1024);
    await expect(sendUpload(blob(''), 'empty.csv')).rejects.toThrow('empty.csv is empty');
    expect(calls).toEqual([]);
  });
});

describe('registerUpload', () => {
  it('sends only the options given', async () => {
    const calls = serve(1024);
    await registerUpload('u1', { name: 'iris', tags: [], sheet: 'Data', newVersion: true });
    expect(JSON.parse(calls[0].init.body as string)).toEqual({
      upload_id: 'u1',
      new_version: true,
      name: 'iris',
      sheet: 'Data'
    });
  });

  it('uploads then registers', async () => {
    const calls = serve(1024);
    const version = await uploadDataset(blob('abc'), 'abc.csv', { description: 'd' });
    expect(version).toEqual({ name: 'abc', version: 1 });
    expect(calls.map(c => c.path)).toEqual(['uploads', 'uploads/u1/chunks/0', 'uploads/u1/complete', 'datasets']);
  });
});

describe('parseTags', () => {
  it('splits at commas, trims, drops empty and repeated tags', () => {
    expect(parseTags(' a, b,,a , c ')).toEqual(['a', 'b', 'c']);
    expect(parseTags('')).toEqual([]);
  });
});
