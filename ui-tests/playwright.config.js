/**
 * Galata's Playwright configuration, run in Debian's Chromium (/usr/bin/chromium)
 * instead of a downloaded browser, which this network cannot fetch.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// MLHUB_UI_PORT moves the test server off 8888 (e.g. while `make lab` runs there).
const port = process.env.MLHUB_UI_PORT || '8888';

module.exports = {
  ...baseConfig,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  use: {
    ...baseConfig.use,
    browserName: 'chromium',
    baseURL: `http://localhost:${port}`,
    // Galata records video on failure, which needs Playwright's own ffmpeg download.
    video: 'off',
    launchOptions: {
      executablePath: process.env.MLHUB_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic'
      ]
    }
  },
  webServer: {
    command: 'jlpm start',
    url: `http://localhost:${port}/lab`,
    timeout: 120000,
    reuseExistingServer: !process.env.CI
  }
};
