/**
 * The sidebar's state: the handshake, the caller's projects and each project's latest
 * runs, reloaded by the {@link PollingModel}'s poll (backing off on failure, standing by
 * while the page is hidden).
 */
import { PollingModel } from './pollingModel';
import { requestAPI } from './request';
import {
  IHandshake,
  IMLHubModel,
  IMLHubState,
  IProjectSummary,
  IProjectsPage,
  IRunsPage,
  RUNS_PER_PROJECT
} from './tokens';
import { EXTENSION_VERSION } from './version';

/** How often the sidebar reloads by itself while the page is visible. */
const POLL_INTERVAL_MS = 30 * 1000;

/** Injected for tests: fetch a path under /mlhub/api/v1/. */
export type Fetcher = <T>(path: string) => Promise<T>;

export class MLHubModel extends PollingModel<IMLHubState> implements IMLHubModel {
  constructor(options: MLHubModel.IOptions = {}) {
    super(
      {
        handshake: null,
        projects: [],
        projectTotal: 0,
        error: null,
        versionMismatch: null,
        loading: false,
        updatedAt: null
      },
      {
        name: 'sidebar',
        interval: options.pollInterval ?? POLL_INTERVAL_MS,
        autoPoll: options.autoPoll
      }
    );
    this._fetch = options.fetch ?? (<T>(path: string) => requestAPI<T>(path));
  }

  protected async loadState(): Promise<Partial<IMLHubState>> {
    const handshake = await this._fetch<IHandshake>('');
    const page = await this._fetch<IProjectsPage>('projects');
    const projects = await Promise.all(
      page.projects.map(async (project): Promise<IProjectSummary> => {
        const runs = await this._fetch<IRunsPage>(
          `runs?project=${encodeURIComponent(project.name)}&limit=${RUNS_PER_PROJECT}`
        );
        return { project, runs: runs.runs, runTotal: runs.total };
      })
    );
    return {
      handshake,
      projects,
      projectTotal: page.total,
      versionMismatch: versionMismatch(handshake.version, EXTENSION_VERSION),
      updatedAt: new Date()
    };
  }

  private readonly _fetch: Fetcher;
}

export namespace MLHubModel {
  export interface IOptions {
    /** Replace the HTTP seam (tests). */
    fetch?: Fetcher;
    /** Start polling on construction (default true). */
    autoPoll?: boolean;
    pollInterval?: number;
  }
}

/** The banner text when server and extension versions differ, else null. */
export function versionMismatch(server: string, extension: string): string | null {
  if (server === extension) {
    return null;
  }
  return (
    `ML Hub server ${server}, lab extension ${extension}: reinstall ML Hub ` +
    '(pip install --force-reinstall mlhub_ext) and restart JupyterLab so both match.'
  );
}
