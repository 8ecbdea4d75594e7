/**
 * How a view without access to the app's commands opens a run's page: it dispatches a
 * bubbling DOM event that the run page plugin turns into `mlhub:open-run`.
 */

/** The event's type; its `detail` is `{ run }` (a run id). */
export const OPEN_RUN_EVENT = 'mlhub-open-run';

/** Ask for the page of run `run`, from any element attached to the page. */
export function requestOpenRun(from: Element, run: string): void {
  from.dispatchEvent(new CustomEvent(OPEN_RUN_EVENT, { bubbles: true, detail: { run } }));
}

/** The event's type; its `detail` is `{ project }` (a project name). */
export const OPEN_PROJECT_EVENT = 'mlhub-open-project';

/** Ask the Experiments sidebar to list the runs of `project`, from any element inside it. */
export function requestOpenProject(from: Element, project: string): void {
  from.dispatchEvent(new CustomEvent(OPEN_PROJECT_EVENT, { bubbles: true, detail: { project } }));
}
