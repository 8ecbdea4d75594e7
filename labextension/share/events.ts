/**
 * How a view without access to the app's commands asks for the Share dialog: it
 * dispatches a bubbling DOM event that the Share plugin turns into `mlhub:share-project`.
 */

/** The event's type; its `detail` is `{ project }`. */
export const SHARE_EVENT = 'mlhub-share-project';

/** Ask for the Share dialog of `project`, from any element attached to the page. */
export function requestShare(from: Element, project: string): void {
  from.dispatchEvent(
    new CustomEvent(SHARE_EVENT, { bubbles: true, detail: { project } })
  );
}
