/**
 * Public interfaces of the ML Hub lab extension: the REST shapes it reads and the
 * model other plugins may require through {@link IMLHubModel}.
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/** `GET /mlhub/api/v1/`: which server answers, in which mode, for whom. */
export interface IHandshake {
  version: string;
  mode: 'local' | 'standalone' | 'hub' | string;
  user: string;
}

export type Visibility = 'private' | 'public';
export type Role = 'owner' | 'manage' | 'edit' | 'read';
export type RunStatus = 'running' | 'finished' | 'failed' | 'killed';

/** A metric value; non-finite floats travel as the strings "NaN", "Infinity", "-Infinity". */
export type MetricValue = number | string | null;

export interface IProject {
  name: string;
  owner: string;
  description: string;
  visibility: Visibility;
  created_at: string;
  updated_at: string;
  run_count: number;
  role: Role;
}

export interface IRun {
  id: string;
  project: string;
  name: string;
  owner: string;
  status: RunStatus | string;
  params: Record<string, unknown>;
  tags: string[];
  summary: Record<string, unknown>;
  provenance: Record<string, unknown>;
  notes: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  latest_metrics: Record<string, MetricValue>;
  last_seq: number;
  /** Why the run ended (a failed run's exception and traceback); absent on older servers. */
  status_reason?: string;
  /** A stop was asked for from the lab; the run's process ends at its next log call. */
  stop_requested?: boolean;
}

export interface IProjectsPage {
  projects: IProject[];
  total: number;
}

export interface IRunsPage {
  runs: IRun[];
  total: number;
}

/** A project with the few latest runs shown under it in the sidebar. */
export interface IProjectSummary {
  project: IProject;
  runs: IRun[];
  runTotal: number;
}

/** Everything the sidebar renders; replaced as a whole on every change. */
export interface IMLHubState {
  handshake: IHandshake | null;
  projects: IProjectSummary[];
  projectTotal: number;
  /** The server's own message for the last failed load, shown verbatim. */
  error: string | null;
  /** Set when the server's version differs from this extension's. */
  versionMismatch: string | null;
  loading: boolean;
  updatedAt: Date | null;
}

/** The state holder behind the ML Hub sidebar. */
export interface IMLHubModel {
  readonly state: IMLHubState;
  readonly stateChanged: ISignal<IMLHubModel, IMLHubState>;
  /** Reload the handshake, projects and latest runs now. */
  refresh(): Promise<void>;
}

export const IMLHubModel = new Token<IMLHubModel>(
  'mlhub-ext:IMLHubModel',
  'The ML Hub registry state shown in the sidebar.'
);

/** How many runs the sidebar lists under each project. */
export const RUNS_PER_PROJECT = 5;
