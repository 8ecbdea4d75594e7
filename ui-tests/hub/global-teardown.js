/**
 * Stop the GitHub test hub with hub_config/stop.sh (which also finds processes a crashed
 * hub left behind by their run-directory marker), then remove its state directory.
 */
const { GITHUB_HUB, STATE_VAR } = require('./hub-env');
const { stopHub } = require('./hub-process');

module.exports = async function globalTeardown() {
  const stateDir = process.env[STATE_VAR];
  if (stateDir) {
    stopHub(GITHUB_HUB, stateDir);
  }
};
