/**
 * The isolated hub the browser test signs in to: hub_config/start.sh with its own ports,
 * run directory and PostgreSQL databases (as tests/hub/conftest.py does for the pytest
 * suite, on other ports again), so neither a trial hub (`make hub`) nor a running
 * `pytest tests/hub` is disturbed.
 */
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const HUB_CONFIG = path.join(REPO, 'hub_config');

const PORTS = {
  MLHUB_HUB_PORT: '28000',
  MLHUB_HUB_PROXY_API_PORT: '28001',
  MLHUB_HUB_INTERNAL_PORT: '28081',
  MLHUB_SERVICE_PORT: '30202',
  MLHUB_GATEWAY_PORT: '28002',
  MLHUB_GATEWAY_API_PORT: '28003',
  MLHUB_GATEWAY_TCP_PORT: '28786'
};
const GITHUB_PORT = '29000';
const HUB_DB = 'mlhub_hub_ui';
const REGISTRY_DB = 'mlhub_registry_ui';
const HUB_URL = `http://127.0.0.1:${PORTS.MLHUB_HUB_PORT}`;

/** The environment for start.sh / stop.sh of the hub whose state lives in `stateDir`. */
function hubEnv(stateDir) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('MLHUB_') && !key.startsWith('JUPYTERHUB_')) {
      env[key] = value;
    }
  }
  return {
    ...env,
    ...PORTS,
    MLHUB_HUB_RUN_DIR: path.join(stateDir, 'run'),
    MLHUB_HUB_DATA_DIR: path.join(stateDir, 'data'),
    MLHUB_GITHUB_URL: `http://127.0.0.1:${GITHUB_PORT}`,
    MLHUB_HUB_DB_NAME: HUB_DB,
    MLHUB_REGISTRY_DB_NAME: REGISTRY_DB,
    // The browser test needs no Dask clusters; the pytest suite covers the gateway.
    MLHUB_GATEWAY: 'off'
  };
}

module.exports = {
  REPO,
  HUB_CONFIG,
  PORTS,
  GITHUB_PORT,
  HUB_DB,
  REGISTRY_DB,
  HUB_URL,
  hubEnv,
  /** Where globalSetup tells the tests and globalTeardown about the hub it started. */
  STATE_VAR: 'MLHUB_UI_HUB_STATE',
  /** Set by globalSetup (with the reason) where no hub can be had: the tests skip. */
  SKIP_VAR: 'MLHUB_UI_HUB_SKIP'
};
