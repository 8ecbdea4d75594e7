/** Shapes of `GET /mlhub/api/v1/home` (mlhub_ext/core/home.py `HomeService.overview`). */

export interface IHomeRun {
  id: string;
  name: string;
  project: string;
  owner: string;
  status: string;
  created_at: string;
  finished_at: string | null;
  /** The highest step any of the run's metrics reached; null before the first point. */
  last_step: number | null;
  stop_requested: boolean;
}

export interface IHomeJob {
  id: string;
  kind: string;
  state: string;
  /** 0..1 */
  progress: number;
  message: string;
  owner: string;
  model: string | null;
  version: number | null;
  created_at: string | null;
}

export type ActivityKind =
  | 'run_started'
  | 'run_finished'
  | 'run_failed'
  | 'run_killed'
  | 'dataset_version'
  | 'model_version'
  | 'promotion'
  | 'share';

export interface IActivity {
  kind: ActivityKind | string;
  at: string;
  /** Who did it; for a share who granted it (null when the registry did not record it). */
  user: string | null;
  name: string;
  version: number | null;
  stage: string | null;
  run_id: string | null;
  project: string | null;
  /** share: 'project', 'dataset' or 'model'. */
  item?: string | null;
  /** share: the role granted. */
  role?: string | null;
  /** share: the member granted, the caller's name or 'group:<hub group>'. */
  via?: string | null;
}

export interface IHomeHolding {
  kind: 'project' | 'dataset' | 'model' | string;
  name: string;
  owner: string;
  visibility: string;
  count: number;
  size: number;
  role: string;
  via: string;
}

export interface IHome {
  user: string;
  generated_at: string;
  counts: {
    projects: number;
    runs: Record<string, number> & { total: number };
    datasets: number;
    dataset_versions: number;
    models: number;
    model_versions: number;
    stages: Record<string, number>;
    jobs: Record<string, number>;
  };
  runs_per_day: Array<{ date: string; count: number }>;
  storage: { projects: number; datasets: number; models: number; total: number };
  my_runs: IHomeRun[];
  my_jobs: IHomeJob[];
  activity: IActivity[];
  shared_with_me: IHomeHolding[];
}
