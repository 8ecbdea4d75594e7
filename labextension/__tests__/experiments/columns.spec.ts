import { base64Bytes, float64Column, int64Column, seriesColumns } from '../../experiments/columns';

function b64(values: number[], int = false): string {
  const buffer = new ArrayBuffer(values.length * 8);
  const view = new DataView(buffer);
  values.forEach((v, i) =>
    int ? view.setBigInt64(i * 8, BigInt(v), true) : view.setFloat64(i * 8, v, true)
  );
  return Buffer.from(new Uint8Array(buffer)).toString('base64');
}

describe('base64-le columns', () => {
  it('decodes bytes', () => {
    expect(Array.from(base64Bytes('AAEC/w=='))).toEqual([0, 1, 2, 255]);
  });

  it('decodes float64 columns with NaN and infinities kept', () => {
    const column = float64Column(b64([1.5, NaN, -Infinity, 1e-300]));
    expect(column).toBeInstanceOf(Float64Array);
    expect(Array.from(column)).toEqual([1.5, NaN, -Infinity, 1e-300]);
  });

  it('decodes int64 steps exactly up to 2**53, negative ones too', () => {
    const steps = [0, 1, 4294967295, 4294967296, 2 ** 53 - 1, -1];
    expect(Array.from(int64Column(b64(steps, true)))).toEqual(steps);
  });

  it('gives the same columns for a JSON answer', () => {
    const json = seriesColumns({
      run: 'r',
      key: 'k',
      steps: [0, 5],
      values: [0.5, 'NaN'],
      timestamps: [10, 11],
      downsampled: true,
      total: 9,
      last_step: 5,
      band: { min: [0.25, 'Infinity'], max: [1, '-Infinity'] }
    } as never);
    const encoded = seriesColumns({
      run: 'r',
      key: 'k',
      steps: b64([0, 5], true),
      values: b64([0.5, NaN]),
      timestamps: b64([10, 11]),
      downsampled: true,
      total: 9,
      last_step: 5,
      band: { min: b64([0.25, Infinity]), max: b64([1, -Infinity]) }
    } as never);
    for (const columns of [json, encoded]) {
      expect(Array.from(columns.steps)).toEqual([0, 5]);
      expect(Array.from(columns.values)).toEqual([0.5, NaN]);
      expect(Array.from(columns.timestamps!)).toEqual([10, 11]);
      expect(Array.from(columns.band!.min)).toEqual([0.25, Infinity]);
      expect(Array.from(columns.band!.max)).toEqual([1, -Infinity]);
    }
    // No timestamps asked: none decoded.
    expect(seriesColumns({ steps: [], values: [], band: null } as never).timestamps).toBeNull();
  });
});
