/**
 * Playwright configuration of the browser test against a real JupyterHub: galata's base
 * configuration and the same Chromium as ../playwright.config.js, but no local Jupyter
 * server. globalSetup starts an isolated hub (hub_config/start.sh on its own ports),
 * globalTeardown stops it (stop.sh). Run with `jlpm test:hub` in ui-tests/.
 *
 * The spec is named *.hub.ts so that the plain configuration, whose testDir holds this
 * folder too, does not pick it up.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');
const localConfig = require('../playwright.config.js');
const { HUB_URL } = require('./hub-env');

module.exports = {
  ...baseConfig,
  testDir: __dirname,
  testMatch: '**/*.hub.ts',
  outputDir: '../test-results/hub',
  workers: 1,
  retries: 0,
  // A first spawn of a single-user server and JupyterLab's first load take a while.
  timeout: 180000,
  globalSetup: require.resolve('./global-setup.js'),
  globalTeardown: require.resolve('./global-teardown.js'),
  use: {
    ...localConfig.use,
    baseURL: HUB_URL,
    trace: 'retain-on-failure'
  }
};
