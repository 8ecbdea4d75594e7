import React from 'react';

import { requestOpenProject } from '../experiments/events';
import { requestShare } from '../share/events';
import { IProjectSummary } from '../tokens';
import { RunRow } from './RunRow';

/** A project with its latest runs. */
export function ProjectCard(props: { summary: IProjectSummary }): JSX.Element {
  const { project, runs, runTotal } = props.summary;
  return (
    <li className="jp-MLHub-project" data-project={project.name}>
      <div className="jp-MLHub-projectHeader">
        <button
          className="jp-MLHub-projectName jp-MLHub-projectLink"
          title={`Show the runs of ${project.name}: search, sort, compare`}
          onClick={event => requestOpenProject(event.currentTarget, project.name)}
        >
          {project.name}
        </button>
        <span className="jp-MLHub-projectMeta">
          {project.visibility} · {runTotal} {runTotal === 1 ? 'run' : 'runs'}
        </span>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject jp-MLHub-shareButton"
          title={`Members and visibility of ${project.name}`}
          onClick={event => requestShare(event.currentTarget, project.name)}
        >
          Share
        </button>
      </div>
      {project.description && (
        <div className="jp-MLHub-projectDescription">{project.description}</div>
      )}
      {runs.length === 0 ? (
        <div className="jp-MLHub-empty">No runs yet.</div>
      ) : (
        <ul className="jp-MLHub-runs" aria-label={`Runs of ${project.name}`}>
          {runs.map(run => (
            <RunRow key={run.id} run={run} />
          ))}
        </ul>
      )}
    </li>
  );
}
