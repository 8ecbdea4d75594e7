/**
 * A run's page: overview (status and why, owner, times, tags, notes, a failed run's
 * traceback), the actions the caller's role allows (edit, stop, delete), params, summary,
 * every metric as a chart (the SDK's `system/…` series in a System section of their own),
 * provenance, artifacts and linked model versions and datasets.
 */
import React, { useEffect, useMemo, useState } from 'react';

import { formatDate } from '../../datasets/components/format';
import { IRun } from '../../tokens';
import { runColor } from '../palette';
import { RunEdit, RunPageModel } from '../runPageModel';
import { MetricChart } from './MetricChart';
import { Artifacts, CodeRenderer, KeyValueTable, Links, Provenance } from './RunSections';

export interface IRunPageProps {
  model: RunPageModel;
  /** The model's version when this render was asked for. */
  version: number;
  themeVersion: number;
  /** Ask for confirmation, then delete. */
  onDelete: () => void;
  onOpenModel: (name: string, version: number) => void;
  onOpenDataset: (name: string) => void;
  renderCode?: CodeRenderer;
}

const STREAM_TEXT = { live: 'live', connecting: 'connecting…', closed: 'offline' };

/** "2 h 03 min", "4 min 05 s", "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) {
    return `${h} h ${pad(m)} min`;
  }
  return m > 0 ? `${m} min ${pad(s % 60)} s` : `${s} s`;
}

function duration(run: IRun, now: number): string {
  const start = Date.parse(run.created_at);
  const end = run.finished_at ? Date.parse(run.finished_at) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return '–';
  }
  return formatDuration(end - start) + (run.finished_at ? '' : ' so far');
}

/** Ticks once a second while `on`, so a running run's duration moves. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) {
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

function EditForm(props: {
  run: IRun;
  busy: boolean;
  onSave: (change: RunEdit) => void;
  onCancel: () => void;
}): JSX.Element {
  const { run } = props;
  const [name, setName] = useState(run.name);
  const [tags, setTags] = useState(run.tags.join(', '));
  const [notes, setNotes] = useState(run.notes);
  const save = () => {
    const change: RunEdit = {};
    const tagList = tags
      .split(',')
      .map(t => t.trim())
      .filter(t => t !== '');
    if (name.trim() !== run.name) {
      change.name = name.trim();
    }
    if (tagList.join('\u0000') !== run.tags.join('\u0000')) {
      change.tags = tagList;
    }
    if (notes !== run.notes) {
      change.notes = notes;
    }
    props.onSave(change);
  };
  return (
    <form
      className="jp-MLHubRun-edit"
      aria-label="Edit run"
      onSubmit={event => {
        event.preventDefault();
        save();
      }}
    >
      <label>
        Name
        <input className="jp-mod-styled" value={name} onChange={e => setName(e.target.value)} />
      </label>
      <label>
        Tags (comma separated)
        <input className="jp-mod-styled" value={tags} onChange={e => setTags(e.target.value)} />
      </label>
      <label>
        Notes
        <textarea
          className="jp-mod-styled"
          rows={4}
          value={notes}
          onChange={e => setNotes(e.target.value)}
        />
      </label>
      <div className="jp-MLHubRun-buttons">
        <button type="submit" className="jp-Button jp-mod-styled jp-mod-accept" disabled={props.busy}>
          Save
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={props.onCancel}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

const TRACEBACK_HEAD = 'Traceback (most recent call last)';

/**
 * A failed run's notes as the user wrote them and the traceback the SDK added after them
 * (`run.fail`, mlhub_ext/client/run.py); a reason of several lines counts as a traceback too.
 */
export function splitTraceback(run: IRun): { notes: string; traceback: string } {
  const reason = run.status_reason ?? '';
  const at = run.status === 'failed' ? run.notes.lastIndexOf(TRACEBACK_HEAD) : -1;
  if (at !== -1) {
    return { notes: run.notes.slice(0, at).trim(), traceback: run.notes.slice(at).trimEnd() };
  }
  return { notes: run.notes, traceback: reason.includes('\n') ? reason : '' };
}

/** The run's duration; while it runs, counting (only this re-renders each second). */
function Duration(props: { run: IRun }): JSX.Element {
  const now = useNow(props.run.finished_at === null);
  return <>{duration(props.run, now)}</>;
}

function Overview(props: { run: IRun }): JSX.Element {
  const { run } = props;
  const reason = run.status_reason ?? '';
  const { notes, traceback } = splitTraceback(run);
  const multiline = reason.includes('\n');
  return (
    <dl className="jp-MLHubRun-facts" aria-label="overview">
      <div data-fact="status">
        <dt>status</dt>
        <dd>
          <span className="jp-MLHub-status" data-status={run.status}>
            {run.status}
          </span>
          {run.stop_requested && run.status === 'running' && (
            <span className="jp-MLHubRun-reason"> stop requested, ends at its next log call</span>
          )}
          {reason !== '' && !multiline && <span className="jp-MLHubRun-reason"> {reason}</span>}
        </dd>
      </div>
      <div data-fact="owner">
        <dt>owner</dt>
        <dd>{run.owner}</dd>
      </div>
      <div data-fact="project">
        <dt>project</dt>
        <dd>{run.project}</dd>
      </div>
      <div data-fact="started">
        <dt>started</dt>
        <dd>{formatDate(run.created_at)}</dd>
      </div>
      <div data-fact="ended">
        <dt>ended</dt>
        <dd>{run.finished_at ? formatDate(run.finished_at) : '–'}</dd>
      </div>
      <div data-fact="duration">
        <dt>duration</dt>
        <dd>
          <Duration run={run} />
        </dd>
      </div>
      <div data-fact="tags">
        <dt>tags</dt>
        <dd>
          {run.tags.length === 0
            ? '–'
            : run.tags.map(tag => (
                <span className="jp-MLHubExp-tag" key={tag}>
                  {tag}
                </span>
              ))}
        </dd>
      </div>
      <div data-fact="notes">
        <dt>notes</dt>
        <dd className="jp-MLHubRun-notes">{notes || '–'}</dd>
      </div>
      <div data-fact="id">
        <dt>id</dt>
        <dd className="jp-MLHubRun-mono">{run.id}</dd>
      </div>
      {traceback !== '' && (
        <div data-fact="traceback" className="jp-MLHubRun-wide">
          <dt>{run.status === 'failed' ? 'traceback' : 'reason'}</dt>
          <dd>
            <pre className="jp-MLHubRun-traceback">{traceback}</pre>
          </dd>
        </div>
      )}
    </dl>
  );
}

/** CPU, memory, disk, network and GPU series the SDK samples for every run (`system/…`). */
export function isSystemMetric(key: string): boolean {
  return key.startsWith('system/');
}

function Section(props: { title: string; children: React.ReactNode }): JSX.Element {
  return (
    <section className="jp-MLHubRun-section" aria-label={props.title}>
      <h3 className="jp-MLHubRun-subtitle">{props.title}</h3>
      {props.children}
    </section>
  );
}

export function RunPage(props: IRunPageProps): JSX.Element {
  const { model, version, themeVersion } = props;
  const run = model.run;
  const [editing, setEditing] = useState(false);
  // One array per run state, so the charts redraw on new data, not on every render.
  const runs = useMemo(() => (run ? [run] : []), [run]);
  const metrics = model.metrics;

  if (model.deleted) {
    return <div className="jp-MLHub-empty">This run was deleted.</div>;
  }
  if (!run) {
    return (
      <div className="jp-MLHubRun">
        {model.error ? (
          <div className="jp-MLHub-error" role="alert">
            {model.error}
          </div>
        ) : (
          <div className="jp-MLHub-empty">Loading…</div>
        )}
      </div>
    );
  }
  const running = run.status === 'running';
  // The SDK's system metrics (mlhub_ext/client/sysmetrics.py) get their own section.
  const systemKeys = metrics.keys.filter(isSystemMetric);
  const userKeys = metrics.keys.filter(key => !isSystemMetric(key));
  const chart = (key: string): JSX.Element => (
    <MetricChart
      key={key}
      metric={key}
      runs={runs}
      colors={[runColor(0)]}
      series={metrics.series(key)}
      version={metrics.version}
      themeVersion={themeVersion}
    />
  );
  return (
    <div
      className="jp-MLHubRun"
      data-run-id={run.id}
      data-status={run.status}
      data-version={version}
      data-role={model.role ?? ''}
    >
      <header className="jp-MLHubRun-header">
        <h2 className="jp-MLHub-title">{run.name}</h2>
        <span className="jp-MLHub-status" data-status={run.status}>
          {run.status}
        </span>
        {running && (
          <span className="jp-MLHubExp-stream" data-status={metrics.streamStatus}>
            {STREAM_TEXT[metrics.streamStatus]}
          </span>
        )}
        <span className="jp-MLHubRun-spacer" />
        {model.canEdit && !editing && (
          <button className="jp-Button jp-mod-styled jp-mod-reject" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {model.canEdit && running && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn"
            disabled={model.busy || run.stop_requested === true}
            title="End the run's logging loop at its next log call; the run ends killed"
            onClick={() => void model.stop()}
          >
            {run.stop_requested ? 'Stopping…' : 'Stop'}
          </button>
        )}
        {model.canDelete && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn"
            disabled={model.busy}
            title="Delete this run with its params, metrics and artifacts"
            onClick={props.onDelete}
          >
            Delete
          </button>
        )}
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={metrics.loading}
          onClick={() => void model.reload()}
        >
          Reload
        </button>
      </header>
      {model.actionError && (
        <div className="jp-MLHub-error" role="alert" data-kind="action">
          {model.actionError}
        </div>
      )}
      {model.error && (
        <div className="jp-MLHub-error" role="alert">
          {model.error}
        </div>
      )}
      {editing && (
        <EditForm
          run={run}
          busy={model.busy}
          onCancel={() => setEditing(false)}
          onSave={change =>
            void model.edit(change).then(done => {
              if (done) {
                setEditing(false);
              }
            })
          }
        />
      )}
      <Section title="Overview">
        <Overview run={run} />
      </Section>
      <div className="jp-MLHubRun-columns">
        <Section title="Params">
          <KeyValueTable label="params" values={run.params} empty="No params." />
        </Section>
        <Section title="Summary">
          <KeyValueTable label="summary" values={run.summary} empty="No summary values." />
        </Section>
      </div>
      <Section title="Metrics">
        {userKeys.length === 0 ? (
          <div className="jp-MLHub-empty">{metrics.loading ? 'Loading…' : 'No metrics logged.'}</div>
        ) : (
          <div className="jp-MLHubRun-charts">{userKeys.map(chart)}</div>
        )}
      </Section>
      {systemKeys.length > 0 && (
        <Section title="System">
          <div className="jp-MLHubRun-charts">{systemKeys.map(chart)}</div>
        </Section>
      )}
      <Section title="Provenance">
        <Provenance run={run} render={props.renderCode} />
      </Section>
      <Section title="Artifacts">
        <Artifacts runId={run.id} artifacts={model.artifacts} />
      </Section>
      <Section title="Models and datasets">
        <Links
          links={model.links}
          onOpenModel={props.onOpenModel}
          onOpenDataset={props.onOpenDataset}
        />
      </Section>
    </div>
  );
}
