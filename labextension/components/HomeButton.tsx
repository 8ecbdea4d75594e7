import { homeIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { requestOpenHome } from '../home/events';
import { IconButton } from './IconButton';

/** The Home button (an icon, named "ML Hub Home") at the top of every ML Hub sidebar: opens the home tab. */
export function HomeButton(): JSX.Element {
  return (
    <IconButton
      icon={homeIcon}
      className="jp-MLHub-homeButton"
      label="ML Hub Home"
      title="Open the ML Hub home: counts, running work, recent activity"
      onClick={event => requestOpenHome(event.currentTarget)}
    />
  );
}
