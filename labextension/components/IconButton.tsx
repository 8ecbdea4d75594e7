import { LabIcon } from '@jupyterlab/ui-components';
import React from 'react';

export interface IIconButtonProps {
  icon: LabIcon;
  /** The accessible name (what screen readers and the Galata specs find the button by). */
  label: string;
  /** The tooltip: what the button does. */
  title: string;
  onClick: (event: React.MouseEvent<HTMLButtonElement>) => void;
  disabled?: boolean;
  className?: string;
}

/**
 * A compact icon button in JupyterLab's toolbar style (`jp-ToolbarButtonComponent`), for
 * sidebar headers: several fit in one row beside the title at the default sidebar width
 * (about 245 px), where text buttons wrapped into a stack.
 */
export function IconButton(props: IIconButtonProps): JSX.Element {
  return (
    <button
      type="button"
      className={`jp-ToolbarButtonComponent jp-MLHub-iconButton${props.className ? ` ${props.className}` : ''}`}
      aria-label={props.label}
      title={props.title}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <props.icon.react tag="span" className="jp-ToolbarButtonComponent-icon jp-MLHub-iconButtonIcon" />
    </button>
  );
}
