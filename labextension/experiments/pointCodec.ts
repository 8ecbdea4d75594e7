/**
 * The stream's compact form of pushed points (`"encoding": "delta-base64"`, asked for in
 * the subscribe message; see `mlhub_ext/core/point_codec.py`), decoded back to the JSON
 * form the views consume: steps as numbers, values as numbers with non-finite ones as
 * the strings "NaN" / "Infinity" / "-Infinity" (as the REST API writes them).
 */
import { MetricValue } from '../tokens';
import { ICompactMetricsMessage, ICompactPoints, IPoints, StreamMessage } from './types';

export const STREAM_ENCODING = 'delta-base64';

/** The bytes of a base64 string. */
function base64Bytes(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    bytes[i] = raw.charCodeAt(i);
  }
  return bytes;
}

/** A base64 little-endian float64 array as numbers (whatever the machine's byte order). */
export function decodeFloat64(text: string): number[] {
  const bytes = base64Bytes(text);
  if (bytes.length % 8 !== 0) {
    throw new Error(`${bytes.length} bytes is not a whole number of float64 values`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.length / 8);
  for (let i = 0; i < out.length; i++) {
    out[i] = view.getFloat64(i * 8, true);
  }
  return out;
}

/** `[s0, s1 - s0, ...]` back to `[s0, s1, ...]`. */
export function undeltaSteps(deltas: number[]): number[] {
  const out = new Array<number>(deltas.length);
  let total = 0;
  for (let i = 0; i < deltas.length; i++) {
    total += deltas[i];
    out[i] = total;
  }
  return out;
}

/** A float as the JSON form writes it: non-finite values as strings. */
function asMetricValue(v: number): MetricValue {
  if (Number.isNaN(v)) {
    return 'NaN';
  }
  if (v === Infinity) {
    return 'Infinity';
  }
  return v === -Infinity ? '-Infinity' : v;
}

/** One compact series in the JSON form; throws when its columns differ in length. */
export function decodePoints(col: ICompactPoints): IPoints {
  const steps = undeltaSteps(col.steps);
  const values = decodeFloat64(col.values).map(asMetricValue);
  const points: IPoints = { steps, values };
  if (col.timestamps !== undefined) {
    points.timestamps = decodeFloat64(col.timestamps);
  }
  if (values.length !== steps.length || (points.timestamps && points.timestamps.length !== steps.length)) {
    throw new Error('steps, values and timestamps differ in length');
  }
  return points;
}

/**
 * A message as parsed from the socket, with compact points decoded; other messages (and
 * JSON points, from a server that ignored the option) pass unchanged. Throws on a
 * compact message that does not decode.
 */
export function decodeMessage(raw: StreamMessage | ICompactMetricsMessage): StreamMessage {
  if (raw.type !== 'metrics' || !('encoding' in raw) || raw.encoding !== STREAM_ENCODING) {
    return raw as StreamMessage;
  }
  const metrics: Record<string, IPoints> = {};
  for (const [key, col] of Object.entries(raw.metrics)) {
    metrics[key] = decodePoints(col);
  }
  return { type: 'metrics', run: raw.run, project: raw.project, metrics };
}
