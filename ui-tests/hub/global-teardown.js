/**
 * Stop the test hub with hub_config/stop.sh (which also finds processes a crashed hub
 * left behind by their run-directory marker), then remove its state directory.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const { HUB_CONFIG, STATE_VAR, hubEnv } = require('./hub-env');

module.exports = async function globalTeardown() {
  const stateDir = process.env[STATE_VAR];
  if (!stateDir) {
    return;
  }
  const stopped = spawnSync(path.join(HUB_CONFIG, 'stop.sh'), {
    env: hubEnv(stateDir),
    encoding: 'utf-8',
    timeout: 120000
  });
  if (stopped.status !== 0) {
    throw new Error(
      `hub_config/stop.sh failed (${stopped.status ?? stopped.signal}):\n` +
        `${stopped.stdout ?? ''}${stopped.stderr ?? ''}`
    );
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
};
