/**
 * Start and stop one test hub (hub_config/start.sh / stop.sh) described in hub-env.js.
 * Where PostgreSQL cannot be had, startHub returns the reason to skip, as the pytest hub
 * suite does; any other failure to start throws with start.sh's output.
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const { HUB_CONFIG, hubEnv } = require('./hub-env');

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
async function resetDatabases(hub) {
  if (!isRoot || !(await listening(5432))) {
    return;
  }
  const sql = [hub.HUB_DB, hub.REGISTRY_DB]
    .map(db => `DROP DATABASE IF EXISTS ${db} WITH (FORCE);\n`)
    .join('');
  execFileSync('su', ['postgres', '-c', 'psql -qAt -v ON_ERROR_STOP=1'], {
    input: sql,
    stdio: ['pipe', 'pipe', 'pipe']
  });
}

/**
 * Start `hub`: `{ stateDir }` once it answers, or `{ skip: reason }` where PostgreSQL
 * cannot be had.
 */
async function startHub(hub) {
  const missing = await postgresMissing();
  if (missing) {
    return { skip: missing };
  }
  const busy = [];
  for (const port of [...Object.values(hub.PORTS), hub.providerPort]) {
    if (await listening(port)) {
      busy.push(port);
    }
  }
  if (busy.length > 0) {
    throw new Error(
      `ports needed by the UI test hub (${hub.name}) are in use: ${busy.join(', ')} ` +
        '(a hub left over? ui-tests/hub/global-teardown.js stops it by its run directory)'
    );
  }
  await resetDatabases(hub);

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `mlhub-ui-hub-${hub.name}-`));
  const env = hubEnv(stateDir, hub);
  const started = spawnSync(path.join(HUB_CONFIG, 'start.sh'), {
    env,
    encoding: 'utf-8',
    timeout: 240000
  });
  const output = `${started.stdout ?? ''}${started.stderr ?? ''}`;
  if (started.status !== 0) {
    spawnSync(path.join(HUB_CONFIG, 'stop.sh'), { env, timeout: 120000 });
    fs.rmSync(stateDir, { recursive: true, force: true });
    if (output.includes('start.sh: PostgreSQL')) {
      return { skip: `PostgreSQL could not be started: ${output.slice(-500)}` };
    }
    throw new Error(
      `hub_config/start.sh failed (${started.status ?? started.signal ?? started.error}):\n` +
        output.slice(-3000)
    );
  }
  return { stateDir };
}

/** Stop the hub whose state is in `stateDir` (stop.sh), then remove that directory. */
function stopHub(hub, stateDir) {
  const stopped = spawnSync(path.join(HUB_CONFIG, 'stop.sh'), {
    env: hubEnv(stateDir, hub),
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
}

module.exports = { startHub, stopHub };
