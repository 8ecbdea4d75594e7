/**
 * The run page's reference sections: params and summary tables, the recorded provenance
 * (with the cell's source highlighted by JupyterLab's own editor), artifacts with their
 * download links, and the model versions and datasets linked to the run.
 */
import React, { useEffect, useRef } from 'react';

import { formatBytes, formatDate } from '../../datasets/components/format';
import { IRun } from '../../tokens';
import { artifactURL } from '../api';
import { IArtifact, IRunLinks } from '../types';
import { formatParam } from './format';

/** Puts highlighted, read-only `source` into `host`; returns how to take it down. */
export type CodeRenderer = (host: HTMLElement, source: string) => () => void;

export function KeyValueTable(props: {
  label: string;
  values: Record<string, unknown>;
  empty: string;
}): JSX.Element {
  const keys = Object.keys(props.values ?? {}).sort();
  if (keys.length === 0) {
    return <div className="jp-MLHub-empty">{props.empty}</div>;
  }
  return (
    <table className="jp-MLHubRun-kv" aria-label={props.label}>
      <tbody>
        {keys.map(key => (
          <tr key={key} data-key={key}>
            <th scope="row">{key}</th>
            <td>{formatParam(props.values[key])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Read-only source, highlighted by `render` (JupyterLab's editor) or shown plain. */
export function CodeBlock(props: { source: string; render?: CodeRenderer }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const { source, render } = props;
  useEffect(() => {
    if (!host.current || !render) {
      return;
    }
    return render(host.current, source);
  }, [source, render]);
  return (
    <div className="jp-MLHubRun-code" ref={host} aria-label="cell source">
      {!render && <pre>{source}</pre>}
    </div>
  );
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Where the run came from, as the SDK recorded it (mlhub_ext/client/provenance.py). */
export function Provenance(props: { run: IRun; render?: CodeRenderer }): JSX.Element {
  const prov = props.run.provenance ?? {};
  const git = (prov.git ?? null) as {
    commit?: string | null;
    branch?: string | null;
    dirty?: boolean;
  } | null;
  const packages = (prov.packages ?? {}) as Record<string, string>;
  const rows: Array<[string, string]> = [];
  const add = (label: string, value: string | null) => value !== null && rows.push([label, value]);
  add('notebook', text(prov.notebook));
  add('script', text(prov.script));
  add(
    'execution count',
    typeof prov.execution_count === 'number' ? String(prov.execution_count) : null
  );
  if (git) {
    add('git commit', git.commit ?? '(no commit yet)');
    add('git branch', git.branch ?? '(detached)');
    add('git dirty', git.dirty ? 'yes: uncommitted changes' : 'no');
  }
  add('python', text(prov.python));
  add('host', text(prov.hostname));
  add('pid', typeof prov.pid === 'number' ? String(prov.pid) : null);
  add('working directory', text(prov.cwd));
  const source = text(prov.cell_source);
  const pkgs = Object.keys(packages).sort();
  if (rows.length === 0 && source === null && pkgs.length === 0) {
    return <div className="jp-MLHub-empty">Nothing recorded about where this run came from.</div>;
  }
  return (
    <>
      <dl className="jp-MLHubRun-facts" aria-label="provenance">
        {rows.map(([label, value]) => (
          <div key={label} data-fact={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {pkgs.length > 0 && (
          <div data-fact="packages">
            <dt>packages</dt>
            <dd>{pkgs.map(name => `${name} ${packages[name]}`).join(', ')}</dd>
          </div>
        )}
      </dl>
      {source !== null && (
        <>
          <h4 className="jp-MLHubRun-minor">Cell source</h4>
          <CodeBlock source={source} render={props.render} />
        </>
      )}
    </>
  );
}

export function Artifacts(props: { runId: string; artifacts: IArtifact[] }): JSX.Element {
  if (props.artifacts.length === 0) {
    return <div className="jp-MLHub-empty">No artifacts logged.</div>;
  }
  return (
    <table className="jp-MLHubRun-table" aria-label="artifacts">
      <thead>
        <tr>
          <th scope="col">name</th>
          <th scope="col">size</th>
          <th scope="col">sha256</th>
          <th scope="col">logged</th>
        </tr>
      </thead>
      <tbody>
        {props.artifacts.map(a => (
          <tr key={a.name} data-artifact={a.name}>
            <td>
              <a
                href={artifactURL(props.runId, a.name)}
                download={a.name.split('/').pop()}
                title={`Download ${a.name}`}
              >
                {a.name}
              </a>
            </td>
            <td>{formatBytes(a.size)}</td>
            <td className="jp-MLHubRun-mono">{a.sha256.slice(0, 12)}</td>
            <td>{formatDate(a.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Links(props: {
  links: IRunLinks | null;
  onOpenModel: (name: string, version: number) => void;
  onOpenDataset: (name: string) => void;
}): JSX.Element {
  const { links } = props;
  if (links === null) {
    return <div className="jp-MLHub-empty">Loading…</div>;
  }
  if (links.model_versions.length === 0 && links.datasets.length === 0) {
    return (
      <div className="jp-MLHub-empty">
        No model version was trained in this run and no dataset is recorded with it.
      </div>
    );
  }
  return (
    <div className="jp-MLHubRun-links">
      {links.model_versions.length > 0 && (
        <ul aria-label="model versions trained in this run">
          {links.model_versions.map(v => (
            <li key={`${v.model}/${v.version}`} data-model={v.model} data-version={v.version}>
              <span className="jp-MLHubRun-linkKind">produced</span>{' '}
              <button
                className="jp-MLHubRun-link"
                onClick={() => props.onOpenModel(v.model, v.version)}
              >
                model {v.model} v{v.version}
              </button>{' '}
              {v.estimator}
              {v.stages.length > 0 && ` · ${v.stages.join(', ')}`} · {formatDate(v.created_at)}
            </li>
          ))}
        </ul>
      )}
      {links.datasets.length > 0 && (
        <ul aria-label="datasets used by this run">
          {links.datasets.map(d => (
            <li key={`${d.name}/${d.version}`} data-dataset={d.name}>
              <span className="jp-MLHubRun-linkKind">used</span>{' '}
              <button className="jp-MLHubRun-link" onClick={() => props.onOpenDataset(d.name)}>
                dataset {d.name}
                {d.version !== null && ` v${d.version}`}
              </button>{' '}
              <span className="jp-MLHub-empty">by {d.via}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
