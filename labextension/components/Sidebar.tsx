import React from 'react';

import { IMLHubState } from '../tokens';
import { formatTime } from './format';
import { ProjectCard } from './ProjectCard';

export interface ISidebarProps {
  state: IMLHubState;
  onRefresh: () => void;
  /** Inside another panel (the Experiments sidebar's Projects view): no own header. */
  embedded?: boolean;
}

/** The ML Hub sidebar: version banner, server error, projects and their latest runs. */
export function Sidebar(props: ISidebarProps): JSX.Element {
  const { state, onRefresh } = props;
  return (
    <div className="jp-MLHub-sidebar">
      {!props.embedded && (
      <header className="jp-MLHub-header">
        <h2 className="jp-MLHub-title">ML Hub</h2>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject jp-MLHub-refresh"
          onClick={onRefresh}
          disabled={state.loading}
          title="Reload projects and runs from the registry"
        >
          Refresh
        </button>
      </header>
      )}
      {state.versionMismatch && (
        <div className="jp-MLHub-banner" role="alert">
          {state.versionMismatch}
        </div>
      )}
      {state.error && (
        <div className="jp-MLHub-error" role="alert">
          {state.error}
        </div>
      )}
      <Body state={state} />
      <footer className="jp-MLHub-footer">
        {state.handshake && (
          <span>
            {state.handshake.user} · {state.handshake.mode} · server{' '}
            {state.handshake.version}
          </span>
        )}
        {state.updatedAt && <span> · updated {formatTime(state.updatedAt)}</span>}
      </footer>
    </div>
  );
}

function Body(props: { state: IMLHubState }): JSX.Element | null {
  const { state } = props;
  if (state.updatedAt === null) {
    return state.error ? null : <div className="jp-MLHub-empty">Loading…</div>;
  }
  if (state.projects.length === 0) {
    return (
      <div className="jp-MLHub-empty">
        No projects yet. Start a run from a notebook with{' '}
        <code>mh.init("my-project")</code>.
      </div>
    );
  }
  return (
    <>
      <ul className="jp-MLHub-projects" aria-label="Projects">
        {state.projects.map(summary => (
          <ProjectCard key={summary.project.name} summary={summary} />
        ))}
      </ul>
      {state.projectTotal > state.projects.length && (
        <div className="jp-MLHub-empty">
          Showing {state.projects.length} of {state.projectTotal} projects.
        </div>
      )}
    </>
  );
}
