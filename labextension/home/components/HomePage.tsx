import React from 'react';

import { formatBytes } from '../../datasets/components/format';
import { IActivity, IHome, IHomeHolding, IHomeJob, IHomeRun } from '../types';

/** What the page can open: the item behind an activity line, a run, a shared item. */
export type OpenTarget =
  | { kind: 'run'; id: string }
  | { kind: 'project'; name: string }
  | { kind: 'dataset'; name: string }
  | { kind: 'model'; name: string; version?: number };

export interface IHomePageProps {
  home: IHome | null;
  loading: boolean;
  error: string | null;
  pending: ReadonlySet<string>;
  /** Shown when the profile view is installed. */
  hasProfile: boolean;
  onRefresh: () => void;
  onOpen: (target: OpenTarget) => void;
  onOpenProfile: () => void;
  onStopRun: (run: IHomeRun) => void;
  onAbortJob: (job: IHomeJob) => void;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "5 min ago", "3 h ago", "2 d ago" from an ISO time (the page refreshes every few seconds). */
export function ago(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) {
    return 'just now';
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  return `${Math.floor(seconds / 86400)} d ago`;
}

const RUN_VERBS: Record<string, string> = {
  run_started: 'started run',
  run_finished: 'finished run',
  run_failed: 'run failed:',
  run_killed: 'run killed:'
};

/** An activity line as words: who, what, which item. */
export function describe(a: IActivity): { who: string; what: string; item: string } {
  if (a.kind === 'share') {
    const group = a.via?.startsWith('group:') ? a.via.slice('group:'.length) : null;
    return {
      who: a.user ?? 'Someone',
      what: `shared with ${group ? `your group ${group}` : 'you'} (${a.role ?? ''}):`,
      item: `${a.item ?? ''} ${a.name}`
    };
  }
  if (a.kind in RUN_VERBS) {
    return { who: a.user ?? '', what: RUN_VERBS[a.kind], item: `${a.name} (${a.project ?? ''})` };
  }
  if (a.kind === 'dataset_version') {
    return { who: a.user ?? '', what: 'added dataset version', item: `${a.name} v${a.version}` };
  }
  if (a.kind === 'model_version') {
    return { who: a.user ?? '', what: 'registered model version', item: `${a.name} v${a.version}` };
  }
  if (a.kind === 'promotion') {
    return a.version === null
      ? { who: a.user ?? '', what: `removed stage ${a.stage} of`, item: a.name }
      : { who: a.user ?? '', what: `moved ${a.stage} to`, item: `${a.name} v${a.version}` };
  }
  return { who: a.user ?? '', what: a.kind, item: a.name };
}

function target(a: IActivity): OpenTarget {
  if (a.run_id) {
    return { kind: 'run', id: a.run_id };
  }
  if (a.kind === 'dataset_version' || (a.kind === 'share' && a.item === 'dataset')) {
    return { kind: 'dataset', name: a.name };
  }
  if (a.kind === 'share' && a.item === 'project') {
    return { kind: 'project', name: a.name };
  }
  return { kind: 'model', name: a.name, version: a.version ?? undefined };
}

/** The ML Hub home: counts, runs per day, my running work, recent activity, shared with me. */
export function HomePage(props: IHomePageProps): JSX.Element {
  const { home } = props;
  return (
    <div className="jp-MLHubHome">
      <header className="jp-MLHub-header jp-MLHubHome-header">
        <h2 className="jp-MLHub-title">ML Hub Home</h2>
        <span className="jp-MLHubHome-user">{home ? `signed in as ${home.user}` : ''}</span>
        <span className="jp-MLHubHome-headerActions">
          {props.hasProfile && (
            <button
              className="jp-Button jp-mod-styled jp-mod-reject"
              onClick={props.onOpenProfile}
              title="Your profile: work with sizes, what is shared with you, API tokens"
            >
              Profile
            </button>
          )}
          <button
            className="jp-Button jp-mod-styled jp-mod-reject"
            onClick={props.onRefresh}
            disabled={props.loading}
            title="Reload the overview from the registry"
          >
            Refresh
          </button>
        </span>
      </header>
      {props.error && (
        <div className="jp-MLHub-error" role="alert">
          {props.error}
        </div>
      )}
      {home === null ? (
        !props.error && <div className="jp-MLHub-empty">Loading…</div>
      ) : (
        <>
          <Counts home={home} />
          <div className="jp-MLHubHome-columns">
            <div className="jp-MLHubHome-column">
              <RunsChart days={home.runs_per_day} />
              <Running {...props} home={home} />
              <Shared items={home.shared_with_me} onOpen={props.onOpen} />
            </div>
            <div className="jp-MLHubHome-column">
              <Activity lines={home.activity} onOpen={props.onOpen} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}

function Stat(props: { label: string; value: number | string; detail?: string }): JSX.Element {
  return (
    <div className="jp-MLHubHome-stat" data-stat={props.label}>
      <div className="jp-MLHubHome-statValue">{props.value}</div>
      <div className="jp-MLHubHome-statLabel">{props.label}</div>
      {props.detail && <div className="jp-MLHubHome-statDetail">{props.detail}</div>}
    </div>
  );
}

function Counts(props: { home: IHome }): JSX.Element {
  const { counts, storage } = props.home;
  const runs = counts.runs;
  const stages = Object.entries(counts.stages)
    .sort()
    .map(([stage, n]) => `${stage} ${n}`)
    .join(' · ');
  return (
    <section className="jp-MLHubHome-counts" aria-label="Counts">
      <Stat label="Projects" value={counts.projects} />
      <Stat
        label="Runs"
        value={runs.total}
        detail={`running ${runs.running ?? 0} · finished ${runs.finished ?? 0} · failed ${runs.failed ?? 0} · killed ${runs.killed ?? 0}`}
      />
      <Stat label="Datasets" value={counts.datasets} detail={plural(counts.dataset_versions, 'version')} />
      <Stat
        label="Models"
        value={counts.models}
        detail={`${plural(counts.model_versions, 'version')}${stages ? ` · ${stages}` : ''}`}
      />
      <Stat
        label="Running jobs"
        value={counts.jobs.running ?? 0}
        detail={`${counts.jobs.queued ?? 0} queued`}
      />
      <Stat
        label="Storage"
        value={formatBytes(storage.total)}
        detail={`runs ${formatBytes(storage.projects)} · datasets ${formatBytes(storage.datasets)} · models ${formatBytes(storage.models)}`}
      />
    </section>
  );
}

/** Runs started per day as bars (an SVG sized by the page; colours from the theme in CSS). */
function RunsChart(props: { days: Array<{ date: string; count: number }> }): JSX.Element {
  const { days } = props;
  const max = Math.max(1, ...days.map(d => d.count));
  const width = 100 / Math.max(days.length, 1);
  const total = days.reduce((sum, d) => sum + d.count, 0);
  return (
    <section className="jp-MLHubHome-section" aria-label="Runs per day">
      <h3>
        Runs per day <span className="jp-MLHubHome-dim">last {days.length} days · {plural(total, 'run')}</span>
      </h3>
      <svg
        className="jp-MLHubHome-chart"
        viewBox="0 0 100 40"
        preserveAspectRatio="none"
        role="img"
        aria-label={`Runs started per day, ${days[0]?.date ?? ''} to ${days[days.length - 1]?.date ?? ''}`}
      >
        {days.map((d, i) => {
          const h = (d.count / max) * 38;
          return (
            <rect
              key={d.date}
              className="jp-MLHubHome-bar"
              data-date={d.date}
              data-count={d.count}
              x={i * width + width * 0.1}
              y={40 - h}
              width={width * 0.8}
              height={h}
            >
              <title>{`${d.date}: ${d.count} runs`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="jp-MLHubHome-axis">
        <span>{days[0]?.date}</span>
        <span>max {max}/day</span>
        <span>{days[days.length - 1]?.date}</span>
      </div>
    </section>
  );
}

function Running(props: IHomePageProps & { home: IHome }): JSX.Element {
  const { my_runs: runs, my_jobs: jobs } = props.home;
  return (
    <section className="jp-MLHubHome-section" aria-label="My running runs and jobs">
      <h3>My running runs and jobs</h3>
      {runs.length === 0 && jobs.length === 0 && (
        <div className="jp-MLHub-empty">Nothing running.</div>
      )}
      <ul className="jp-MLHubHome-list">
        {runs.map(run => (
          <li key={run.id} className="jp-MLHubHome-running" data-run-id={run.id}>
            <button
              className="jp-MLHubHome-link"
              onClick={() => props.onOpen({ kind: 'run', id: run.id })}
              title={`Open run ${run.name}`}
            >
              {run.name}
            </button>
            <span className="jp-MLHubHome-dim">
              {run.project} · {run.last_step === null ? 'no steps yet' : `step ${run.last_step}`} · started{' '}
              {ago(run.created_at)}
            </span>
            <button
              className="jp-Button jp-mod-styled jp-mod-warn jp-MLHubHome-action"
              disabled={run.stop_requested || props.pending.has(run.id)}
              onClick={() => props.onStopRun(run)}
              title="Ask the run to stop: its process ends at its next log call"
            >
              {run.stop_requested ? 'Stopping…' : 'Stop'}
            </button>
          </li>
        ))}
        {jobs.map(job => (
          <li key={job.id} className="jp-MLHubHome-running" data-job-id={job.id}>
            <button
              className="jp-MLHubHome-link"
              disabled={!job.model}
              onClick={() => job.model && props.onOpen({ kind: 'model', name: job.model })}
              title={job.model ? `Open model ${job.model}` : job.id}
            >
              {job.kind} {job.model ?? job.id}
            </button>
            <progress
              className="jp-MLHubHome-progress"
              max={1}
              value={job.progress}
              aria-label={`${job.kind} progress`}
            />
            <span className="jp-MLHubHome-dim">
              {job.state} · {Math.round(job.progress * 100)}%{job.message ? ` · ${job.message}` : ''}
            </span>
            <button
              className="jp-Button jp-mod-styled jp-mod-warn jp-MLHubHome-action"
              disabled={props.pending.has(job.id)}
              onClick={() => props.onAbortJob(job)}
              title="Abort the job on the cluster"
            >
              Abort
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Activity(props: { lines: IActivity[]; onOpen: (t: OpenTarget) => void }): JSX.Element {
  return (
    <section className="jp-MLHubHome-section" aria-label="Recent activity">
      <h3>Recent activity</h3>
      {props.lines.length === 0 && <div className="jp-MLHub-empty">No activity yet.</div>}
      <ul className="jp-MLHubHome-list jp-MLHubHome-activity">
        {props.lines.map((a, i) => {
          const { who, what, item } = describe(a);
          return (
            <li key={`${a.kind}-${a.name}-${a.at}-${i}`} data-kind={a.kind}>
              <button
                className="jp-MLHubHome-activityLine"
                onClick={() => props.onOpen(target(a))}
                title={`Open ${item}`}
              >
                <span className="jp-MLHubHome-who">{who}</span> {what}{' '}
                <span className="jp-MLHubHome-item">{item}</span>
              </button>
              <span className="jp-MLHubHome-dim" title={a.at}>
                {ago(a.at)}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Shared(props: { items: IHomeHolding[]; onOpen: (t: OpenTarget) => void }): JSX.Element {
  return (
    <section className="jp-MLHubHome-section" aria-label="Shared with me">
      <h3>Shared with me</h3>
      {props.items.length === 0 && <div className="jp-MLHub-empty">Nothing shared with you yet.</div>}
      <ul className="jp-MLHubHome-list">
        {props.items.map(h => (
          <li key={`${h.kind}-${h.name}`} data-kind={h.kind}>
            <button
              className="jp-MLHubHome-link"
              onClick={() =>
                props.onOpen(
                  h.kind === 'project'
                    ? { kind: 'project', name: h.name }
                    : h.kind === 'dataset'
                      ? { kind: 'dataset', name: h.name }
                      : { kind: 'model', name: h.name }
                )
              }
              title={`Open ${h.kind} ${h.name}`}
            >
              {h.name}
            </button>
            <span className="jp-MLHubHome-dim">
              {h.kind} · {h.owner} · {h.role}
              {h.via.startsWith('group:') ? ` via ${h.via}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
