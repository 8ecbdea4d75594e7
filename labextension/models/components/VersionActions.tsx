/** Catalogue actions on one version: publish / unpublish and archive / restore. */
import React from 'react';

import { IModelVersion, IVersionPatch } from '../types';

export interface IVersionActionsProps {
  version: IModelVersion;
  busy: boolean;
  onPatch: (version: number, patch: IVersionPatch) => void;
}

export function VersionActions(props: IVersionActionsProps): JSX.Element {
  const { version: v, busy, onPatch } = props;
  return (
    <div className="jp-MLHubModels-actions" role="group" aria-label="version actions">
      <button
        className="jp-Button jp-mod-styled jp-MLHubModels-small"
        disabled={busy}
        onClick={() => onPatch(v.version, { published: !v.published })}
      >
        {v.published ? 'Unpublish' : 'Publish'}
      </button>
      <button
        className="jp-Button jp-mod-styled jp-mod-warn jp-MLHubModels-small"
        disabled={busy}
        onClick={() => onPatch(v.version, { archived: !v.archived })}
        title={v.archived ? 'Restore this version' : 'Archive: hidden from the catalogue, cannot be promoted'}
      >
        {v.archived ? 'Restore' : 'Archive'}
      </button>
    </div>
  );
}
