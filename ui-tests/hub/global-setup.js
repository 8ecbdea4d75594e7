/**
 * Start the isolated GitHub test hub (hub_config/start.sh) before the hub browser tests.
 * Where PostgreSQL cannot be had, the tests are skipped with the reason, as the pytest
 * hub suite does; any other failure to start fails the run with start.sh's output.
 */
const { GITHUB_HUB, SKIP_VAR, STATE_VAR } = require('./hub-env');
const { startHub } = require('./hub-process');

module.exports = async function globalSetup() {
  const started = await startHub(GITHUB_HUB);
  if (started.skip) {
    process.env[SKIP_VAR] = started.skip;
    return;
  }
  process.env[STATE_VAR] = started.stateDir;
};
