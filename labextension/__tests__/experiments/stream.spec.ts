import { decodeFloat64, decodeMessage, decodePoints, undeltaSteps } from '../../experiments/pointCodec';
import { RunStream } from '../../experiments/stream';
import { StreamMessage } from '../../experiments/types';

/** Little-endian float64 bytes as base64, as the server writes them (struct '<d'). */
function f64(values: number[]): string {
  const buf = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => buf.writeDoubleLE(v, i * 8));
  return buf.toString('base64');
}

/** A socket the test drives: records what the stream sends, delivers what the test pushes. */
class FakeSocket {
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1; // WebSocket.OPEN
    this.onopen?.();
  }
  push(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

describe('pointCodec', () => {
  it('decodes little-endian float64 whatever their value, NaN and infinities included', () => {
    const values = [0.1, -2.5e300, 1764503456.123456, 0, -0];
    expect(decodeFloat64(f64(values))).toEqual(values);
    const odd = decodeFloat64(f64([NaN, Infinity, -Infinity]));
    expect(Number.isNaN(odd[0])).toBe(true);
    expect(odd.slice(1)).toEqual([Infinity, -Infinity]);
    expect(() => decodeFloat64(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(/whole number/);
  });

  it('undoes the steps delta, negative and large differences too', () => {
    expect(undeltaSteps([100, 1, 1, 1])).toEqual([100, 101, 102, 103]);
    expect(undeltaSteps([5, -3, 1000000])).toEqual([5, 2, 1000002]);
    expect(undeltaSteps([])).toEqual([]);
  });

  it('gives the JSON form back: non-finite values as strings, timestamps optional', () => {
    expect(
      decodePoints({ steps: [7, 1, 2], values: f64([0.5, NaN, -Infinity]), timestamps: f64([1, 2, 3]) })
    ).toEqual({ steps: [7, 8, 10], values: [0.5, 'NaN', '-Infinity'], timestamps: [1, 2, 3] });
    expect(decodePoints({ steps: [3], values: f64([Infinity]) })).toEqual({
      steps: [3],
      values: ['Infinity']
    });
    expect(() => decodePoints({ steps: [1, 1], values: f64([1]) })).toThrow(/differ in length/);
  });

  it('passes JSON metrics and other messages through unchanged', () => {
    const json: StreamMessage = {
      type: 'metrics',
      run: 'r',
      project: 'p',
      metrics: { loss: { steps: [1], values: [0.5], timestamps: [1] } }
    };
    expect(decodeMessage(json)).toBe(json);
    const sub: StreamMessage = { type: 'subscribed', runs: ['r'], projects: [] };
    expect(decodeMessage(sub)).toBe(sub);
  });
});

describe('RunStream', () => {
  let socket: FakeSocket;
  let stream: RunStream;
  let got: StreamMessage[];

  beforeEach(() => {
    socket = new FakeSocket();
    stream = new RunStream({ open: () => socket as unknown as WebSocket });
    got = [];
    stream.message.connect((_, m) => got.push(m));
  });

  afterEach(() => stream.dispose());

  it('asks for the compact form and hands listeners the JSON shape', async () => {
    const confirmed = stream.subscribe(['r1']);
    socket.open();
    expect(socket.sent).toEqual([{ subscribe: { runs: ['r1'], encoding: 'delta-base64' } }]);
    socket.push({ type: 'subscribed', runs: ['r1'], projects: [], encoding: 'delta-base64' });
    await confirmed;
    socket.push({
      type: 'metrics',
      run: 'r1',
      project: 'p',
      encoding: 'delta-base64',
      metrics: {
        loss: { steps: [41, 1, 1], values: f64([0.25, 0.125, NaN]), timestamps: f64([10.5, 10.6, 10.7]) },
        acc: { steps: [41], values: f64([0.9]) }
      }
    });
    expect(got[1]).toEqual({
      type: 'metrics',
      run: 'r1',
      project: 'p',
      metrics: {
        loss: { steps: [41, 42, 43], values: [0.25, 0.125, 'NaN'], timestamps: [10.5, 10.6, 10.7] },
        acc: { steps: [41], values: [0.9] }
      }
    });
    // Runs added later go in a subscribe of their own, with the option again.
    void stream.subscribe(['r2']);
    expect(socket.sent[1]).toEqual({ subscribe: { runs: ['r2'], encoding: 'delta-base64' } });
  });

  it('takes JSON points from a server that ignored the option', () => {
    void stream.subscribe(['r1']);
    socket.open();
    const json = {
      type: 'metrics',
      run: 'r1',
      project: 'p',
      metrics: { loss: { steps: [1, 2], values: [0.5, 'Infinity'], timestamps: [1, 2] } }
    };
    socket.push(json);
    expect(got).toEqual([json]);
  });

  it('drops a compact message that does not decode, and keeps going', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    void stream.subscribe(['r1']);
    socket.open();
    socket.push({
      type: 'metrics',
      run: 'r1',
      project: 'p',
      encoding: 'delta-base64',
      metrics: { loss: { steps: [1, 1], values: f64([0.5]) } }
    });
    socket.push({ type: 'metrics', run: 'r1', project: 'p', encoding: 'delta-base64',
      metrics: { loss: { steps: [3], values: f64([0.75]) } } });
    expect(got).toEqual([
      { type: 'metrics', run: 'r1', project: 'p', metrics: { loss: { steps: [3], values: [0.75] } } }
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
