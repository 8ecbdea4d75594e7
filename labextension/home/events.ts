/**
 * How a sidebar without access to the app's commands opens the home: it dispatches a
 * bubbling DOM event that the home plugin turns into `mlhub:open-home`.
 */
export const OPEN_HOME_EVENT = 'mlhub-open-home';

export function requestOpenHome(from: Element): void {
  from.dispatchEvent(new CustomEvent(OPEN_HOME_EVENT, { bubbles: true }));
}
