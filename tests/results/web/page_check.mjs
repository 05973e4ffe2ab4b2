// Loads a sipfleet results page in Debian's headless Chromium and checks
// what it rendered. Usage:
//   node page_check.mjs report FILE SHOT.png
//   node page_check.mjs live URL SHOT.png [control|nocontrol]
// Prints "ok: ..." and exits 0, or prints what is wrong and exits 1.
import { chromium } from 'playwright-core';

const [mode, target, shot, control] = process.argv.slice(2);
const problems = [];
const consoleErrors = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // A new, empty profile every time (playwright's default context).
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // The report must not fetch anything: record every request but the page.
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(mode === 'report' ? 'file://' + target : target, { waitUntil: 'load' });

  if (mode === 'live') {
    // Two polls of summary.json rendered (every -f period).
    await page.waitForFunction(() => Number(document.body.dataset.updates || 0) >= 2,
      null, { timeout: 40000 });
  }
  await checkPlots(page);
  await page.screenshot({ path: shot, fullPage: true });
  if (mode === 'live') await checkIncrementalTimeline(page, target);

  if (mode === 'report') {
    const external = requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'));
    if (external.length) problems.push('the report fetched ' + external.join(', '));
  } else if (control === 'control') {
    await checkPauseButton(page, target);
  } else {
    if (await page.locator('#controls button').count() !== 0) problems.push('buttons without -web_control');
    const post = await fetch(new URL('control?action=pause', target), { method: 'POST' });
    if (post.status !== 403) problems.push('POST /control answered ' + post.status + ', not 403');
  }
  if (consoleErrors.length) problems.push('console errors: ' + consoleErrors.join(' | '));
} finally {
  await browser.close();
}
if (problems.length) {
  console.log('FAIL: ' + problems.join('; '));
  process.exit(1);
}
console.log('ok: ' + mode + (control ? ' ' + control : ''));

// Each plot is a uPlot canvas with drawn pixels and a legend.
async function checkPlots(page) {
  const plots = await page.evaluate(() => [...document.querySelectorAll('.plot')].map((p) => {
    const canvas = p.querySelector('canvas');
    let drawn = 0;
    if (canvas) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
    }
    return { id: p.id, drawn, legend: [...p.querySelectorAll('.u-legend .u-label')].map((l) => l.textContent) };
  }));
  const ids = plots.map((p) => p.id);
  for (const want of ['plot-rate', 'plot-current', 'plot-calls', 'plot-retrans', 'plot-rtd0', 'plot-rtdhist0']) {
    if (!ids.includes(want)) problems.push('no ' + want + ' (have ' + ids.join(',') + ')');
  }
  for (const p of plots) if (p.drawn < 500) problems.push(p.id + ' is blank (' + p.drawn + ' pixels drawn)');
  const rate = plots.find((p) => p.id === 'plot-rate');
  if (rate && !(rate.legend.includes('target') && rate.legend.includes('achieved'))) {
    problems.push('rate legend: ' + rate.legend.join(','));
  }
  const verdict = await page.locator('#verdict').textContent();
  if (!['running', 'passed', 'failed'].includes(verdict)) problems.push('verdict ' + verdict);
  const rows = await page.locator('table.latencies tr').count();
  if (rows < 3) problems.push('latency table has ' + rows + ' rows');
  // In the cluster: one row per agent (after the header).
  const agents = Number(process.env.EXPECT_AGENTS || 0);
  const agentRows = await page.locator('table.agents tr').count();
  if (agentRows !== (agents ? agents + 1 : 0)) problems.push('agents table has ' + agentRows + ' rows');
}

// Pause (the p key through RunControl): calls stop being created; resume: they go on.
async function checkPauseButton(page, url) {
  const created = async () => Number((await (await fetch(new URL('summary.json', url))).json()).merged.total_calls_created);
  const stable = async (wantStable) => {
    let before = await created();
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 1100));
      const now = await created();
      if ((now === before) === wantStable) return true;
      before = now;
    }
    return false;
  };
  await page.click('#btn-pause');
  if (!await stable(true)) problems.push('calls still created after pause');
  // The page says so at its next update.
  await page.waitForSelector('#paused', { timeout: 5000 }).catch(() => problems.push('the page does not say paused'));
  await page.screenshot({ path: shot.replace(/\.png$/, '-paused.png'), fullPage: true });
  await page.click('#btn-pause');
  if (!await stable(false)) problems.push('no calls after resume');
  const status = await page.locator('#control-status').textContent();
  if (!status.includes('pause: sent')) problems.push('status: ' + status);
}

// The page asked only for new periods and still holds the whole timeline:
// its periods are the server's (same count, same last period) as of its
// last poll, and the server answers timeline_from=N with periods N on.
async function checkIncrementalTimeline(page, url) {
  const state = await page.evaluate(() => ({ periods: Number(document.body.dataset.periods),
    last: document.body.dataset.lastPeriod }));
  const full = await (await fetch(new URL('summary.json', url))).json();
  if (!(state.periods >= 2)) problems.push('the page holds ' + state.periods + ' periods');
  if (full.timeline.length < state.periods) {
    problems.push('the page holds ' + state.periods + ' periods, the server ' + full.timeline.length);
  } else if (String(full.timeline[state.periods - 1].t_s) !== state.last) {
    problems.push('period ' + state.periods + ' ends at ' + state.last + ' on the page, at ' +
      full.timeline[state.periods - 1].t_s + ' on the server');
  }
  const from = Math.max(full.timeline.length - 1, 0);
  const part = await (await fetch(new URL('summary.json?timeline_from=' + from, url))).json();
  if (Number(part.timeline_from) !== from || part.timeline.length < full.timeline.length - from ||
      (part.timeline.length && part.timeline[0].t_s !== full.timeline[from].t_s)) {
    problems.push('timeline_from=' + from + ' answered from ' + part.timeline_from + ' with ' +
      part.timeline.length + ' periods');
  }
}
