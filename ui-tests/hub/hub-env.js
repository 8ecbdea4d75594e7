/**
 * The isolated hubs the browser tests sign in to: hub_config/start.sh with their own
 * ports, run directories and PostgreSQL databases (as tests/hub/conftest.py does for the
 * pytest suite, on other ports again), so neither a trial hub (`make hub`) nor a running
 * `pytest tests/hub` is disturbed.
 *
 * - GITHUB_HUB (the default, started by globalSetup for signin.hub.ts): GitHub sign-in
 *   against the fake GitHub.
 * - NATIVE_HUB (signup.hub.ts): email/password sign-up with NativeAuthenticator.
 * - OIDC_HUB (oidc.hub.ts): OpenID Connect against hub_config/fake_oidc.py.
 * The last two are started and stopped by their spec files, one after the other.
 */
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const HUB_CONFIG = path.join(REPO, 'hub_config');

/** start.sh's port settings, from a base (public port) and the service port. */
function portsFrom(base, service) {
  return {
    MLHUB_HUB_PORT: String(base),
    MLHUB_HUB_PROXY_API_PORT: String(base + 1),
    MLHUB_HUB_INTERNAL_PORT: String(base + 81),
    MLHUB_SERVICE_PORT: String(service),
    MLHUB_GATEWAY_PORT: String(base + 2),
    MLHUB_GATEWAY_API_PORT: String(base + 3),
    MLHUB_GATEWAY_TCP_PORT: String(base + 786)
  };
}

/** One test hub: its ports (the provider's among them), databases and settings. */
function describeHub(name, base, service, providerPort, settings) {
  const suffix = name === 'github' ? '' : `_${name}`;
  return {
    name,
    PORTS: portsFrom(base, service),
    providerPort: String(providerPort),
    url: `http://127.0.0.1:${base}`,
    HUB_DB: `mlhub_hub_ui${suffix}`,
    REGISTRY_DB: `mlhub_registry_ui${suffix}`,
    settings
  };
}

const GITHUB_PORT = '29000';
const GITHUB_HUB = describeHub('github', 28000, 30202, GITHUB_PORT, {
  MLHUB_GITHUB_URL: `http://127.0.0.1:${GITHUB_PORT}`
});
const NATIVE_HUB = describeHub('native', 28100, 30302, 29100, {
  MLHUB_AUTH: 'native',
  MLHUB_ADMIN_USERS: 'hubadmin'
});
const OIDC_PORT = '29200';
const OIDC_HUB = describeHub('oidc', 28200, 30402, OIDC_PORT, {
  MLHUB_AUTH: 'oidc',
  MLHUB_OIDC_ISSUER: `http://127.0.0.1:${OIDC_PORT}`,
  MLHUB_OIDC_LOGIN_SERVICE: 'Trial OIDC'
});

const { PORTS, HUB_DB, REGISTRY_DB } = GITHUB_HUB;
const HUB_URL = GITHUB_HUB.url;

/** The environment for start.sh / stop.sh of `hub` whose state lives in `stateDir`. */
function hubEnv(stateDir, hub = GITHUB_HUB) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('MLHUB_') && !key.startsWith('JUPYTERHUB_')) {
      env[key] = value;
    }
  }
  return {
    ...env,
    ...hub.PORTS,
    MLHUB_HUB_RUN_DIR: path.join(stateDir, 'run'),
    MLHUB_HUB_DATA_DIR: path.join(stateDir, 'data'),
    MLHUB_GITHUB_URL: `http://127.0.0.1:${GITHUB_PORT}`,
    MLHUB_HUB_DB_NAME: hub.HUB_DB,
    MLHUB_REGISTRY_DB_NAME: hub.REGISTRY_DB,
    // The browser tests need no Dask clusters; the pytest suite covers the gateway.
    MLHUB_GATEWAY: 'off',
    ...hub.settings
  };
}

module.exports = {
  REPO,
  HUB_CONFIG,
  PORTS,
  GITHUB_PORT,
  OIDC_PORT,
  HUB_DB,
  REGISTRY_DB,
  HUB_URL,
  GITHUB_HUB,
  NATIVE_HUB,
  OIDC_HUB,
  hubEnv,
  /** Where globalSetup tells the tests and globalTeardown about the hub it started. */
  STATE_VAR: 'MLHUB_UI_HUB_STATE',
  /** Set by globalSetup (with the reason) where no hub can be had: the tests skip. */
  SKIP_VAR: 'MLHUB_UI_HUB_SKIP'
};
