import { homeIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { requestOpenHome } from '../home/events';

/** The Home button (an icon, named "ML Hub Home") at the top of every ML Hub sidebar: opens the home tab. */
export function HomeButton(): JSX.Element {
  return (
    <button
      className="jp-Button jp-mod-styled jp-MLHub-homeButton"
      onClick={event => requestOpenHome(event.currentTarget)}
      title="Open the ML Hub home: counts, running work, recent activity"
      aria-label="ML Hub Home"
    >
      <homeIcon.react tag="span" className="jp-MLHub-homeIcon" />
    </button>
  );
}
