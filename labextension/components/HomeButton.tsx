import { LabIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { requestOpenHome } from '../home/events';
import { mlhubIcon } from '../icon';

/** The Home button (an icon, named "ML Hub Home") at the top of every ML Hub sidebar: opens the home tab. */
export function HomeButton(): JSX.Element {
  return (
    <button
      className="jp-Button jp-mod-styled jp-mod-reject jp-MLHub-homeButton"
      onClick={event => requestOpenHome(event.currentTarget)}
      title="Open the ML Hub home: counts, running work, recent activity"
      aria-label="ML Hub Home"
    >
      <LabIcon.resolveReact icon={mlhubIcon} tag="span" className="jp-MLHub-homeIcon" />
    </button>
  );
}
