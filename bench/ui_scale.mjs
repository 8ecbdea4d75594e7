/**
 * The browser half of bench/ui_scale.py: Chromium driven by Node Playwright (from
 * ui-tests/node_modules; the browser is Debian's /usr/bin/chromium, nothing is downloaded).
 *
 *   node bench/ui_scale.mjs '<JSON config>'   (config.phase: open | compare | live | mlflow | profile)
 *
 * Times are taken inside the page (performance.now()): from the command (or the mouse
 * release) until the awaited DOM state holds and the next animation frame ran. The last
 * stdout line is the JSON answer.
 */
import { createRequire } from 'module';
import path from 'path';
import { fileURLToPath } from 'url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(ROOT, 'ui-tests', 'package.json'));
const { chromium } = require('playwright-core');

const config = JSON.parse(process.argv[2]);
const TIMEOUT_MS = 180000;

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** In the page: resolve when `check()` is true (watched on every DOM change), after a frame. */
const WAIT_FOR = `
window.__waitFor = (check, timeout) => new Promise((resolve, reject) => {
  let done = false;
  const finish = () => {
    if (done || !check()) return;
    done = true;
    observer.disconnect();
    clearTimeout(timer);
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
  };
  const observer = new MutationObserver(finish);
  observer.observe(document.body, { subtree: true, childList: true, attributes: true });
  const timer = setTimeout(() => { observer.disconnect(); reject(new Error('timed out: ' + check)); }, timeout);
  finish();
});`;

async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.MLHUB_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  await page.addInitScript(WAIT_FOR);
  return { browser, context, page };
}

async function openLab(page) {
  await page.goto(`${config.url}lab?token=${config.token}`);
  await page.waitForFunction(() => window.jupyterapp && document.querySelector('.jp-LabShell'), null, {
    timeout: TIMEOUT_MS
  });
  await page.evaluate(() => window.jupyterapp.restored);
  await page.waitForTimeout(1000);
}

async function closeAll(page) {
  await page.evaluate(() => window.jupyterapp.commands.execute('application:close-all'));
  await page.waitForTimeout(500);
}

/** Open the runs table of `project`: until its first row is in place. */
async function timeOpen(page, project) {
  await closeAll(page);
  return page.evaluate(async project => {
    const t0 = performance.now();
    void window.jupyterapp.commands.execute('mlhub:open-runs-table', { project });
    const end = await window.__waitFor(() => {
      const row = document.querySelector('.jp-MLHubRT .jp-MLHubRT-row[data-run-id]');
      return !!row && row.getBoundingClientRect().height > 0;
    }, 180000);
    return end - t0;
  }, project);
}

/** Compare `runs`: until every metric's panel drew `total` points' worth of series. */
async function timeCompare(page, runs, metrics, total) {
  await closeAll(page);
  return page.evaluate(
    async ({ runs, metrics, total }) => {
      const t0 = performance.now();
      void window.jupyterapp.commands.execute('mlhub:compare-runs', { runs });
      const end = await window.__waitFor(
        () =>
          metrics.every(m => {
            const c = document.querySelector(
              `.jp-MLHubExp-compare .jp-MLHubExp-panel[data-metric="${m}"] .jp-MLHubExp-canvas`
            );
            return !!c && c.dataset.total === String(total) && !!c.querySelector('canvas');
          }),
        180000
      );
      const view = document.querySelector('.jp-MLHubExp-compare');
      return { ms: end - t0, load_ms: Number(view.dataset.loadMs) };
    },
    { runs, metrics, total }
  );
}

/** Drag over a third of the first panel: until the zoom's re-fetch is drawn in every panel. */
async function timeZoom(page, metric) {
  const view = page.locator('.jp-MLHubExp-compare');
  const panel = view.locator(`.jp-MLHubExp-panel[data-metric="${metric}"]`);
  const over = panel.locator('.u-over');
  if ((await panel.locator('.jp-MLHubExp-zoomHint').count()) > 0) {
    await over.dblclick();
    await page.waitForFunction(
      () =>
        document.querySelector('.jp-MLHubExp-compare').dataset.loading === 'false' &&
        !document.querySelector('.jp-MLHubExp-compare .jp-MLHubExp-zoomHint')
    );
    await page.waitForTimeout(800);
  }
  await page.evaluate(() => {
    const all = () =>
      Array.from(document.querySelectorAll('.jp-MLHubExp-compare .jp-MLHubExp-panel .jp-MLHubExp-canvas'));
    const state = { t0: null, v0: Math.max(...all().map(c => Number(c.dataset.version))), vLoading: -1 };
    window.__zoom = state;
    window.addEventListener('mouseup', () => (state.t0 = performance.now()), { capture: true, once: true });
    state.done = window.__waitFor(() => {
      const view = document.querySelector('.jp-MLHubExp-compare');
      const vs = all().map(c => Number(c.dataset.version));
      if (state.t0 === null) return false;
      if (view.dataset.loading === 'true') {
        state.vLoading = Math.max(state.vLoading, ...vs);
        return false;
      }
      const v = vs[0];
      return (
        vs.every(x => x === v) &&
        v > Math.max(state.v0, state.vLoading) &&
        document.querySelectorAll('.jp-MLHubExp-compare .jp-MLHubExp-zoomHint').length > 0
      );
    }, 180000);
  });
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  return page.evaluate(async () => {
    const end = await window.__zoom.done;
    return {
      ms: end - window.__zoom.t0,
      model_ms: Number(document.querySelector('.jp-MLHubExp-compare').dataset.zoomMs)
    };
  });
}

async function phaseOpen(page) {
  await openLab(page);
  await timeOpen(page, config.project); // warm-up
  const times = [];
  for (let i = 0; i < config.repeat; i++) {
    times.push(await timeOpen(page, config.project));
  }
  return { median_ms: median(times), times };
}

async function phaseCompare(page) {
  await openLab(page);
  await timeCompare(page, config.runs, config.metrics, config.total); // warm-up
  const times = [];
  for (let i = 0; i < config.repeat; i++) {
    times.push(await timeCompare(page, config.runs, config.metrics, config.total));
  }
  await page.waitForTimeout(1000);
  await timeZoom(page, config.metrics[0]); // warm-up
  const zooms = [];
  for (let i = 0; i < config.repeat; i++) {
    zooms.push(await timeZoom(page, config.metrics[0]));
  }
  const maxPoints = await page.evaluate(() => document.querySelector('.jp-MLHubExp-compare').dataset.maxPoints);
  return {
    median_ms: median(times.map(t => t.ms)),
    times: times.map(t => t.ms),
    load_ms: times.map(t => t.load_ms),
    zoom_median_ms: median(zooms.map(z => z.ms)),
    zoom_times: zooms.map(z => z.ms),
    zoom_model_ms: zooms.map(z => z.model_ms),
    max_points: Number(maxPoints)
  };
}

/** Bytes the browser receives while a compare view of live runs is open. */
async function phaseLive(page, context, browser) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  let counting = false;
  const bytes = { all: 0, mlhub: 0, ws_frames: 0, ws_bytes: 0, http: 0, http_bytes: 0, urls: {} };
  const add = (url, n) => {
    bytes.all += n;
    if (url.includes('/mlhub/')) {
      bytes.mlhub += n;
    }
    const key = url.replace(/\?.*/, '').replace(/^https?:\/\/[^/]+/, '').replace(/[0-9a-f]{32}/g, '{id}');
    bytes.urls[key] = (bytes.urls[key] ?? 0) + n;
  };
  cdp.on('Network.webSocketCreated', e => urls.set(e.requestId, e.url));
  cdp.on('Network.requestWillBeSent', e => urls.set(e.requestId, e.request.url));
  cdp.on('Network.webSocketFrameReceived', e => {
    if (!counting) return;
    const n = e.response.opcode === 1 ? Buffer.byteLength(e.response.payloadData, 'utf8')
      : Buffer.from(e.response.payloadData, 'base64').length;
    bytes.ws_frames++;
    bytes.ws_bytes += n;
    add(urls.get(e.requestId) ?? 'ws', n);
  });
  cdp.on('Network.loadingFinished', e => {
    if (!counting) return;
    bytes.http++;
    bytes.http_bytes += e.encodedDataLength;
    add(urls.get(e.requestId) ?? 'http', e.encodedDataLength);
  });
  await openLab(page);
  await closeAll(page);
  await page.evaluate(async runs => {
    void window.jupyterapp.commands.execute('mlhub:compare-runs', { runs });
    await window.__waitFor(() => {
      const c = document.querySelector('.jp-MLHubExp-compare .jp-MLHubExp-panel[data-metric="loss"] .jp-MLHubExp-canvas');
      return !!c && Number(c.dataset.total) >= runs.length && !!c.querySelector('canvas');
    }, 180000);
  }, config.runs);
  await page.waitForTimeout(3000);
  const drawnBefore = await page.evaluate(() =>
    Number(document.querySelector('.jp-MLHubExp-panel[data-metric="loss"] .jp-MLHubExp-canvas').dataset.total));
  const start = Date.now();
  counting = true;
  await page.waitForTimeout(config.seconds * 1000);
  counting = false;
  const end = Date.now();
  const drawnAfter = await page.evaluate(() =>
    Number(document.querySelector('.jp-MLHubExp-panel[data-metric="loss"] .jp-MLHubExp-canvas').dataset.total));
  const status = await page.evaluate(() => document.querySelector('.jp-MLHubExp-stream')?.dataset.status ?? null);
  const secs = (end - start) / 1000;
  return {
    window: [start, end],
    bytes_per_s: bytes.all / secs,
    mlhub_bytes_per_s: bytes.mlhub / secs,
    ws_frames: bytes.ws_frames,
    ws_bytes: bytes.ws_bytes,
    http_responses: bytes.http,
    http_bytes: bytes.http_bytes,
    by_path: bytes.urls,
    stream_status: status,
    points_shown_during_window: drawnAfter - drawnBefore,
    browser: browser.version()
  };
}

/**
 * MLflow's experiment page in its chart view: until `metrics.length` charts have lines,
 * or `capMs` passed (then `timed_out` and what was drawn by then: a lower bound).
 */
async function timeMlflow(page, perChart = 1, capMs = 900000) {
  await page.goto('about:blank');
  await page.goto(`${config.url}/#/experiments/${config.experiment}/runs?compareRunsMode=CHART`);
  const t0 = await page.evaluate(() => performance.now());
  try {
    return await mlflowDrawn(page, perChart, capMs);
  } catch (error) {
    if (!String(error.message).includes('timed out')) {
      throw error;
    }
    // What was drawn by then, counted as the criterion counts: traces whose line has a path.
    const drawn = await page.evaluate(() => {
      const ps = Array.from(document.querySelectorAll('.js-plotly-plot'));
      const lines = p =>
        Array.from(p.querySelectorAll('.scatterlayer .trace')).filter(t =>
          Array.from(t.querySelectorAll('path.js-line')).some(l => (l.getAttribute('d') ?? '').length > 1)
        ).length;
      const per = ps.map(lines);
      return { charts: ps.length, lines: per.reduce((a, b) => a + b, 0), min_lines_per_chart: Math.min(...per) };
    });
    const now = await page.evaluate(() => performance.now());
    return { ms: now, timed_out: true, waited_ms: now - t0, ...drawn };
  }
}

async function mlflowDrawn(page, perChart, capMs) {
  return page.evaluate(
    async ({ n, perChart, capMs }) => {
      const plots = () => Array.from(document.querySelectorAll('.js-plotly-plot'));
      // A run's line: a scatter trace whose line path has points.
      const lines = p =>
        Array.from(p.querySelectorAll('.scatterlayer .trace')).filter(t =>
          Array.from(t.querySelectorAll('path.js-line')).some(l => (l.getAttribute('d') ?? '').length > 1)
        ).length;
      const end = await window.__waitFor(() => {
        const ps = plots();
        return ps.length >= n && ps.slice(0, n).every(p => lines(p) >= perChart);
      }, capMs);
      const ps = plots();
      return { ms: end, charts: ps.length, lines: ps.reduce((k, p) => k + lines(p), 0) };
    },
    { n: config.metrics.length, perChart, capMs }
  );
}

/** MLflow's chart view shows its first runs only by default: ask for all (kept in its UI state). */
async function mlflowShowAll(page) {
  try {
    await page.getByLabel('Toggle visibility of runs').first().click({ timeout: 20000 });
    await page.getByText('Show all runs', { exact: true }).first().click({ timeout: 20000 });
    await page.waitForTimeout(3000);
    return true;
  } catch (error) {
    console.error(`could not switch MLflow's chart view to all runs: ${error.message.split('\n')[0]}`);
    return false;
  }
}

async function phaseMlflow(page) {
  // Each load waits at most the cap: past it, the figure is a lower bound ("> cap").
  const capMs = (config.cap_s ?? 300) * 1000;
  const timedOut = (r, what) => ({
    median_ms: r.ms,
    times: [r.ms],
    timed_out: true,
    cap_s: capMs / 1000,
    charts: r.charts,
    lines: r.lines,
    show_all: what !== 'warm-up',
    timed_from: 'navigation start (bundle cached)',
    note: `MLflow's ${what} chart load had not drawn after ${Math.round(r.waited_ms / 1000)} s`
  });
  // Warm-up, as ML Hub gets one: the bundle cached and the server's reads warm.
  const warm = await timeMlflow(page, 1, capMs);
  if (warm.timed_out) {
    return timedOut(warm, 'warm-up');
  }
  const showAll = await mlflowShowAll(page);
  // With every run shown, drawn means a line for every run in each chart: as many drawn
  // traces as runs (MLflow 3.17 drew two scatter traces a run with 60 runs, one with 200).
  const perChart = showAll ? config.runs : 1;
  const settle = await timeMlflow(page, perChart, capMs);
  if (settle.timed_out) {
    return timedOut(settle, 'first all-runs');
  }
  const runs = [];
  for (let i = 0; i < config.repeat; i++) {
    const r = await timeMlflow(page, perChart, capMs);
    if (r.timed_out) {
      return timedOut(r, 'all-runs');
    }
    runs.push(r);
  }
  const last = runs[runs.length - 1];
  return {
    median_ms: median(runs.map(r => r.ms)),
    times: runs.map(r => r.ms),
    timed_out: false,
    cap_s: capMs / 1000,
    charts: last.charts,
    lines: last.lines,
    show_all: showAll,
    timed_from: 'navigation start (bundle cached)'
  };
}

/**
 * CPU profile (CDP Profiler) of one compare load and one zoom, after a warm-up: the
 * functions with the most self time, and the profiles written for DevTools.
 */
async function phaseProfile(page, context) {
  await openLab(page);
  await timeCompare(page, config.runs, config.metrics, config.total); // warm-up
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const out = {};
  const fs = await import('fs');
  for (const what of ['compare', 'zoom']) {
    if (what === 'zoom') {
      await page.waitForTimeout(1000);
    }
    await cdp.send('Profiler.start');
    const timed = what === 'compare'
      ? await timeCompare(page, config.runs, config.metrics, config.total)
      : await timeZoom(page, config.metrics[0]);
    const { profile } = await cdp.send('Profiler.stop');
    const file = `${config.out_dir ?? '/tmp'}/ui_scale-${what}.cpuprofile`;
    fs.writeFileSync(file, JSON.stringify(profile));
    out[what] = { ms: timed.ms, file, top: summarize(profile) };
  }
  // A Chromium trace of one more compare: where the main thread's native time goes
  // (style, layout, paint, canvas raster...), which a JS profile shows as "(program)".
  const browser = context.browser();
  const traceFile = `${config.out_dir ?? '/tmp'}/ui_scale-compare.trace.json`;
  await browser.startTracing(page, {
    path: traceFile,
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu', 'skia', 'v8']
  });
  const traced = await timeCompare(page, config.runs, config.metrics, config.total);
  await browser.stopTracing();
  out.trace = { ms: traced.ms, file: traceFile, top: summarizeTrace(JSON.parse(fs.readFileSync(traceFile, 'utf8'))) };
  return out;
}

/** Self time (ms) by trace event name on the page's renderer main thread, the largest. */
function summarizeTrace(trace) {
  const events = trace.traceEvents ?? trace;
  const main = events.find(e => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tid = main?.tid;
  const pid = main?.pid;
  const spans = events
    .filter(e => e.ph === 'X' && e.tid === tid && e.pid === pid && e.dur)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Self time: a span's duration less its direct children's.
  const self = new Map();
  const stack = [];
  for (const e of spans) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) {
      stack.pop();
    }
    const parent = stack[stack.length - 1];
    if (parent) {
      self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur / 1000);
    }
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur / 1000);
    stack.push(e);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)
    .map(([k, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${k}`);
}

/** Self time per function (ms), the 25 largest, and the total sampled. */
function summarize(profile) {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const self = new Map();
  const dts = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const f = node.callFrame;
    const file = (f.url || '').split('/').pop();
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dts[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)
    .map(([k, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${k}`);
  return { sampled_ms: Math.round(total), top };
}

const { browser, context, page } = await launch();
let result;
try {
  if (config.phase === 'open') {
    result = await phaseOpen(page);
  } else if (config.phase === 'compare') {
    result = await phaseCompare(page);
  } else if (config.phase === 'live') {
    result = await phaseLive(page, context, browser);
  } else if (config.phase === 'mlflow') {
    result = await phaseMlflow(page);
  } else if (config.phase === 'profile') {
    result = await phaseProfile(page, context);
  } else {
    throw new Error(`unknown phase ${config.phase}`);
  }
} catch (error) {
  await page.screenshot({ path: `/tmp/ui_scale-${config.phase}-failure.png` }).catch(() => undefined);
  await browser.close();
  throw error;
}
await browser.close();
console.log(JSON.stringify(result));
