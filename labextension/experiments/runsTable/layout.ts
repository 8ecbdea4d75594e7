/**
 * Where each row of the virtualized runs table sits: the whole table as one segment, or
 * per group a header followed (when expanded) by the group's runs. Only the rows in view
 * are turned into items, so 10,000 runs cost the few dozen rows on screen.
 */
import type { IRunGroup } from './api';
import { segmentId } from './columns';

/** One row of the table: a group's header, or the run at `index` of a segment. */
export type TableItem =
  | { kind: 'group'; group: IRunGroup; expanded: boolean }
  | { kind: 'run'; group: string | null | undefined; segment: string; index: number };

interface IBlock {
  group?: IRunGroup;
  expanded: boolean;
  rows: number;
}

/** The blocks of the table: one (ungrouped, `total` rows) or a header per group. */
export function blocks(
  groups: IRunGroup[] | null,
  total: number,
  expanded: ReadonlySet<string>
): IBlock[] {
  if (!groups) {
    return [{ expanded: true, rows: total }];
  }
  return groups.map(group => {
    const open = expanded.has(segmentId(group.key));
    return { group, expanded: open, rows: open ? group.count : 0 };
  });
}

/** How many rows (headers included) the table holds. */
export function rowCount(list: IBlock[]): number {
  return list.reduce((n, b) => n + (b.group ? 1 : 0) + b.rows, 0);
}

/** The items of rows `first`..`last` (inclusive), with their row numbers. */
export function itemsInView(list: IBlock[], first: number, last: number): Array<[number, TableItem]> {
  const out: Array<[number, TableItem]> = [];
  let at = 0;
  for (const block of list) {
    const size = (block.group ? 1 : 0) + block.rows;
    if (at + size <= first) {
      at += size;
      continue;
    }
    if (at > last) {
      break;
    }
    const key = block.group ? block.group.key : undefined;
    const segment = segmentId(key);
    for (let row = Math.max(first, at); row <= Math.min(last, at + size - 1); row++) {
      const offset = row - at;
      if (block.group && offset === 0) {
        out.push([row, { kind: 'group', group: block.group, expanded: block.expanded }]);
      } else {
        out.push([row, { kind: 'run', group: key, segment, index: offset - (block.group ? 1 : 0) }]);
      }
    }
    at += size;
  }
  return out;
}
