/**
 * Columns of a `POST /metrics/query` answer as typed arrays. Asked with
 * `encoding: "base64-le"`, each column is base64 of a little-endian array (int64 steps,
 * float64 values, timestamps and band; NaN and ±Infinity as IEEE values), which decodes
 * into one `Float64Array` per column without parsing a JSON number per point. A JSON
 * answer (older servers, tests) is converted to the same columns.
 */
import { MetricValue } from '../tokens';
import { ISeriesColumns } from './series';
import { IQueriedSeries } from './types';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type FromBase64 = (text: string) => Uint8Array;

/** The bytes of base64 `text` (the native decoder where the browser has one). */
export function base64Bytes(text: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
  if (native) {
    return native(text);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    out[i] = binary.charCodeAt(i);
  }
  return out;
}

/** A base64 little-endian float64 column. */
export function float64Column(text: string): Float64Array {
  const bytes = base64Bytes(text);
  const n = bytes.byteLength >> 3;
  if (LITTLE_ENDIAN && bytes.byteOffset % 8 === 0) {
    return new Float64Array(bytes.buffer, bytes.byteOffset, n);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = view.getFloat64(i * 8, true);
  }
  return out;
}

/** A base64 little-endian int64 column as doubles (exact up to 2**53, as steps are). */
export function int64Column(text: string): Float64Array {
  const bytes = base64Bytes(text);
  const n = bytes.byteLength >> 3;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = view.getInt32(i * 8 + 4, true) * 4294967296 + view.getUint32(i * 8, true);
  }
  return out;
}

/** A JSON column ("NaN", "Infinity" and "-Infinity" as the server writes them). */
function jsonColumn(values: ReadonlyArray<MetricValue>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' ? v : v === null ? NaN : Number(v);
  }
  return out;
}

function column(value: unknown, int: boolean): Float64Array {
  if (typeof value === 'string') {
    return int ? int64Column(value) : float64Column(value);
  }
  return jsonColumn((value ?? []) as MetricValue[]);
}

/** One series of the answer as typed columns, whichever encoding the server used. */
export function seriesColumns(item: IQueriedSeries): ISeriesColumns {
  const band = item.band;
  return {
    steps: column(item.steps, true),
    values: column(item.values, false),
    timestamps: item.timestamps === undefined ? null : column(item.timestamps, false),
    band: band ? { min: column(band.min, false), max: column(band.max, false) } : null
  };
}
