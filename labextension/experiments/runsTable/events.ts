/**
 * How the Experiments sidebar (which has no access to the app's commands) opens a
 * project's runs table: a bubbling DOM event that the runs table plugin turns into
 * `mlhub:open-runs-table`.
 */

/** The event's type; its `detail` is `{ project }`. */
export const OPEN_RUNS_TABLE_EVENT = 'mlhub-open-runs-table';

export function requestOpenRunsTable(from: Element, project: string): void {
  from.dispatchEvent(new CustomEvent(OPEN_RUNS_TABLE_EVENT, { bubbles: true, detail: { project } }));
}
