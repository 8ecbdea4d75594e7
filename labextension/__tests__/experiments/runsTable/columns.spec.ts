import {
  availableColumns,
  cellValue,
  columnKind,
  columnLabel,
  defaultColumns,
  formatCellText,
  formatDuration,
  groupLabel,
  groupQuery,
  orderKey,
  scaleColor,
  segmentId,
  splitSearch
} from '../../../experiments/runsTable/columns';
import { blocks, itemsInView, rowCount } from '../../../experiments/runsTable/layout';
import { inBrushes, makeAxis, parallelAxes } from '../../../experiments/runsTable/parallel';
import { IRun } from '../../../tokens';

function run(over: Partial<IRun>): IRun {
  return {
    id: 'a'.repeat(32),
    project: 'p',
    name: 'r1',
    owner: 'me',
    status: 'finished',
    params: {},
    tags: [],
    summary: {},
    provenance: {},
    notes: '',
    created_at: '2026-11-30T09:00:00Z',
    updated_at: '2026-11-30T09:00:00Z',
    finished_at: '2026-11-30T09:03:05Z',
    latest_metrics: {},
    last_seq: 0,
    ...over
  };
}

describe('runs table columns', () => {
  it('offers fixed columns, then params, metrics and summary keys, sorted', () => {
    const runs = [
      run({ params: { lr: 0.1, optimizer: 'adam' }, latest_metrics: { val_loss: 1 } }),
      run({ params: { batch: 32 }, summary: { best: 2 }, latest_metrics: { acc: 0.5 } })
    ];
    expect(availableColumns(runs)).toEqual([
      'status',
      'duration',
      'owner',
      'created',
      'tags',
      'params.batch',
      'params.lr',
      'params.optimizer',
      'metrics.acc',
      'metrics.val_loss',
      'summary.best'
    ]);
  });

  it('shows a few fixed columns and the first params and user metrics by default', () => {
    const available = ['status', 'params.a', 'metrics.system/cpu', 'metrics.loss'];
    expect(defaultColumns(available)).toEqual(['status', 'created', 'duration', 'params.a', 'metrics.loss']);
  });

  it('names columns by key and kind, and sorts by the server’s key', () => {
    expect(columnLabel('params.lr')).toBe('lr');
    expect(columnLabel('metrics.val/loss')).toBe('val/loss');
    expect(columnKind('summary.best')).toBe('summary');
    expect(columnKind('created')).toBe('run');
    expect(orderKey('created')).toBe('created_at');
    expect(orderKey('metrics.acc')).toBe('metrics.acc');
  });

  it('formats cells: durations, metrics, params, tags, missing values', () => {
    const r = run({ params: { lr: 0.00012345, opt: 'adam', layers: [1, 2] }, latest_metrics: { loss: 0.123456 }, tags: ['a', 'b'] });
    expect(formatCellText(r, 'duration')).toBe('3m 05s');
    expect(formatCellText(r, 'metrics.loss')).toBe('0.1235');
    expect(formatCellText(r, 'metrics.acc')).toBe('–');
    expect(formatCellText(r, 'params.lr')).toBe('0.0001234');
    expect(formatCellText(r, 'params.opt')).toBe('adam');
    expect(formatCellText(r, 'params.layers')).toBe('[1,2]');
    expect(formatCellText(r, 'params.none')).toBe('–');
    expect(formatCellText(r, 'tags')).toBe('a, b');
    expect(cellValue(r, 'duration')).toBe(185);
    expect(cellValue(run({ status: 'killed', finished_at: null }), 'duration')).toBeNull();
    expect(formatDuration(7300)).toBe('2h 01m');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(null)).toBe('–');
  });

  it('sends text with an operator as a filter, plain text as q', () => {
    expect(splitSearch('params.lr < 0.01 and tags = x')).toEqual({ filter: 'params.lr < 0.01 and tags = x', q: '' });
    expect(splitSearch('name ~ sweep')).toEqual({ filter: 'name ~ sweep', q: '' });
    expect(splitSearch('  sweep-3 ')).toEqual({ filter: '', q: 'sweep-3' });
    expect(splitSearch(' ')).toEqual({ filter: '', q: '' });
  });

  it('keys groups as the server does: its JSON key, or group_missing for none', () => {
    expect(groupQuery('"adam"')).toEqual({ group: '"adam"' });
    expect(groupQuery(null)).toEqual({ group_missing: 'true' });
    expect(segmentId(undefined)).toBe('');
    expect(segmentId(null)).toBe('g:null');
    expect(segmentId('0.01')).toBe('g:0.01');
    expect(groupLabel(null)).toBe('(none)');
    expect(groupLabel(0.01)).toBe('0.01');
    expect(groupLabel('adam')).toBe('adam');
  });

  it('colours from blue to orange, clamped', () => {
    expect(scaleColor(0)).toBe('rgb(41, 98, 255)');
    expect(scaleColor(1)).toBe('rgb(234, 88, 12)');
    expect(scaleColor(2)).toBe(scaleColor(1));
    expect(scaleColor(NaN)).toBe(scaleColor(0));
  });
});

describe('runs table layout', () => {
  const group = (key: string | null, count: number) => ({
    key,
    value: key,
    count,
    metric: { count, mean: 1, min: 0, max: 2 }
  });

  it('lays out the ungrouped table as one segment', () => {
    const list = blocks(null, 10000, new Set());
    expect(rowCount(list)).toBe(10000);
    const items = itemsInView(list, 5000, 5002);
    expect(items.map(([row, item]) => [row, item.kind === 'run' ? item.index : -1])).toEqual([
      [5000, 5000],
      [5001, 5001],
      [5002, 5002]
    ]);
  });

  it('puts an expanded group’s runs under its header, collapsed ones alone', () => {
    const list = blocks([group('"a"', 3), group(null, 2), group('"b"', 4)], 9, new Set(['g:null']));
    expect(rowCount(list)).toBe(5);
    const items = itemsInView(list, 0, 10).map(([row, item]) =>
      item.kind === 'group' ? `${row}:h${String(item.group.key)}` : `${row}:${item.segment}#${item.index}`
    );
    expect(items).toEqual(['0:h"a"', '1:hnull', '2:g:null#0', '3:g:null#1', '4:h"b"']);
  });
});

describe('parallel coordinates axes', () => {
  it('uses a log scale for numbers spanning two decades, an ordinal one for text', () => {
    const lr = makeAxis('params.lr', 'lr', [0.0001, 0.001, 0.01, undefined]);
    expect(lr.kind).toBe('log');
    expect(lr.place(0.0001)).toBe(0);
    expect(lr.place(0.01)).toBe(1);
    expect(lr.place(0.001)).toBeCloseTo(0.5);
    expect(lr.place(undefined)).toBeNull();
    const opt = makeAxis('params.opt', 'opt', ['sgd', 'adam', 'adam']);
    expect(opt.kind).toBe('ordinal');
    expect(opt.ticks.map(t => t.text)).toEqual(['adam', 'sgd']);
    expect(opt.place('sgd')).toBe(1);
    expect(makeAxis('x', 'x', [2, 4]).place(3)).toBe(0.5);
    expect(makeAxis('x', 'x', [5, 5]).place(5)).toBe(0.5);
  });

  it('has an axis per param and the metric last', () => {
    const runs = [
      run({ params: { lr: 0.1, opt: 'adam' }, latest_metrics: { loss: 1 } }),
      run({ params: { lr: 0.2 }, latest_metrics: { loss: 'NaN' } })
    ];
    expect(parallelAxes(runs, 'loss').map(a => a.key)).toEqual(['params.lr', 'params.opt', 'metrics.loss']);
  });

  it('keeps the runs inside every brush', () => {
    const runs = [
      run({ id: 'a', params: { lr: 0.1 }, latest_metrics: { loss: 1 } }),
      run({ id: 'b', params: { lr: 0.2 }, latest_metrics: { loss: 2 } }),
      run({ id: 'c', params: {}, latest_metrics: { loss: 3 } })
    ];
    const axes = parallelAxes(runs, 'loss');
    const kept = (b: Record<string, [number, number]>) =>
      runs.filter(r => inBrushes(r, axes, b, 'loss')).map(r => r.id);
    expect(kept({})).toEqual(['a', 'b', 'c']);
    expect(kept({ 'metrics.loss': [0, 0.5] })).toEqual(['a', 'b']);
    expect(kept({ 'metrics.loss': [0, 0.5], 'params.lr': [0.5, 1] })).toEqual(['b']);
  });
});
