/**
 * Start the isolated test hub (hub_config/start.sh) before the hub browser tests.
 * Where PostgreSQL cannot be had, the tests are skipped with the reason, as the pytest
 * hub suite does; any other failure to start fails the run with start.sh's output.
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const {
  GITHUB_PORT,
  HUB_CONFIG,
  HUB_DB,
  PORTS,
  REGISTRY_DB,
  SKIP_VAR,
  STATE_VAR,
  hubEnv
} = require('./hub-env');

function listening(port) {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Why PostgreSQL cannot be had here, or null (start.sh starts an installed one as root). */
async function postgresMissing() {
  if (await listening(5432)) {
    return null;
  }
  const installed =
    fs.existsSync('/etc/postgresql') &&
    spawnSync('sh', ['-c', 'command -v pg_ctlcluster']).status === 0;
  if (!installed) {
    return 'PostgreSQL is not installed and nothing listens on 127.0.0.1:5432';
  }
  return isRoot ? null : 'PostgreSQL is down and starting it needs root (pg_ctlcluster)';
}

/** Fresh databases for every run (start.sh creates them again). */
async function resetDatabases() {
  if (!isRoot || !(await listening(5432))) {
    return;
  }
  const sql = [HUB_DB, REGISTRY_DB]
    .map(db => `DROP DATABASE IF EXISTS ${db} WITH (FORCE);\n`)
    .join('');
  execFileSync('su', ['postgres', '-c', 'psql -qAt -v ON_ERROR_STOP=1'], {
    input: sql,
    stdio: ['pipe', 'pipe', 'pipe']
  });
}

module.exports = async function globalSetup() {
  const missing = await postgresMissing();
  if (missing) {
    process.env[SKIP_VAR] = missing;
    return;
  }
  const ports = [...Object.values(PORTS), GITHUB_PORT];
  const busy = [];
  for (const port of ports) {
    if (await listening(port)) {
      busy.push(port);
    }
  }
  if (busy.length > 0) {
    throw new Error(
      `ports needed by the UI test hub are in use: ${busy.join(', ')} ` +
        '(a hub left over? ui-tests/hub/global-teardown.js stops it by its run directory)'
    );
  }
  await resetDatabases();

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlhub-ui-hub-'));
  const env = hubEnv(stateDir);
  process.env[STATE_VAR] = stateDir;
  const started = spawnSync(path.join(HUB_CONFIG, 'start.sh'), {
    env,
    encoding: 'utf-8',
    timeout: 240000
  });
  const output = `${started.stdout ?? ''}${started.stderr ?? ''}`;
  if (started.status !== 0) {
    spawnSync(path.join(HUB_CONFIG, 'stop.sh'), { env, timeout: 120000 });
    if (output.includes('start.sh: PostgreSQL')) {
      process.env[SKIP_VAR] = `PostgreSQL could not be started: ${output.slice(-500)}`;
      return;
    }
    throw new Error(
      `hub_config/start.sh failed (${started.status ?? started.signal ?? started.error}):\n` +
        output.slice(-3000)
    );
  }
};
