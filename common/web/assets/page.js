// sipfleet's results page: the HTML report (-report_html, data embedded)
// and the live page (-web, data polled from /summary.json every -f, the
// timeline incrementally). The data is sipfleet.results.v1.Summary as
// protobuf's JSON printer writes it (uint64 values are strings). Plots use uPlot, embedded at build time.
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('sipfleet-config').textContent);
  const plots = {};  // id -> uPlot, kept across live updates

  function num(v) { return v === undefined || v === null ? 0 : Number(v); }
  function fmt(v, digits) { return Number(v).toFixed(digits === undefined ? 3 : digits); }
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children || []) e.append(c);
    return e;
  }
  function table(head, rows, cls) {
    const t = el('table', cls ? { class: cls } : {});
    t.append(el('tr', {}, head.map((h) => el('th', {}, [String(h)]))));
    for (const row of rows) {
      t.append(el('tr', {}, row.map((c) => (c instanceof Node ? c : el('td', {}, [String(c)])))));
    }
    return t;
  }

  function renderHeader(s) {
    const h = document.getElementById('header');
    const verdict = el('span', { class: 'verdict ' + s.verdict, id: 'verdict' }, [s.verdict]);
    const paused = s.paused && s.verdict === 'running' ? [' ', el('span', { class: 'verdict paused', id: 'paused' }, ['paused'])] : [];
    const lines = [
      el('h1', {}, [s.program + ' — ' + s.scenario + ' ', verdict, ...paused]),
      el('div', { class: 'meta' }, ['command: ', el('code', {}, [s.command_line.join(' ')])]),
      el('div', { class: 'meta' }, ['start ' + s.start_time + (s.end_time ? ', end ' + s.end_time : '') +
        ', ' + fmt(s.duration_s, 1) + ' s' + (s.verdict !== 'running' ? ', exit ' + s.exit_code +
        (s.exit_reason ? ' (' + s.exit_reason + ')' : '') : '')]),
    ];
    h.replaceChildren(...lines);
  }

  function renderThresholds(s) {
    const box = document.getElementById('thresholds');
    if (!s.thresholds.length) { box.replaceChildren(); return; }
    const rows = s.thresholds.map((t) => {
      const measured = t.measured === undefined ? 'no data' :
        (t.unit === '%' ? fmt(t.measured * 100, 4) + ' %' : t.unit ? fmt(t.measured) + ' ' + t.unit : String(t.measured));
      return [t.expression, measured, el('td', { class: t.passed ? 'pass' : 'fail' },
        [t.passed ? 'pass' : 'FAIL' + (t.aborted_run ? ' (aborted the run)' : '')])];
    });
    box.replaceChildren(el('h2', {}, ['Thresholds']), table(['threshold', 'measured', 'result'], rows, 'thresholds'));
  }

  // One time plot: `series` is [{label, values(period) -> number}].
  function timePlot(id, title, timeline, series) {
    const xs = timeline.map((p) => p.t_s);
    const data = [xs].concat(series.map((s) => timeline.map(s.values)));
    return drawPlot(id, title, data, {
      scales: { x: { time: false } },
      axes: [{ label: 's' }, {}],
      series: [{ label: 't (s)' }].concat(series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))),
    });
  }

  function drawPlot(id, title, data, options) {
    if (plots[id]) { plots[id].setData(data); return plots[id]; }
    const box = el('div', { class: 'plot', id: 'plot-' + id }, [el('h3', {}, [title])]);
    document.getElementById('plots').append(box);
    const opts = Object.assign({ width: 560, height: 240 }, options);
    plots[id] = new uPlot(opts, data, box);
    return plots[id];
  }

  const colors = ['#2c6fbb', '#e67e22', '#2a8a3e', '#c0392b', '#8e44ad', '#16a085'];

  function renderPlots(s) {
    const tl = s.timeline;
    timePlot('rate', 'Calls per second: target vs achieved', tl, [
      { label: 'target', color: colors[0], values: (p) => num(p.target_calls_per_s) },
      { label: 'achieved', color: colors[1], values: (p) => num(p.achieved_calls_per_s) }]);
    timePlot('current', 'Concurrent calls', tl, [
      { label: 'current calls', color: colors[0], values: (p) => num(p.current_calls) }]);
    timePlot('calls', 'Calls per period', tl, [
      { label: 'successful', color: colors[2], values: (p) => num(p.successful_calls) },
      { label: 'failed', color: colors[3], values: (p) => num(p.failed_calls) }]);
    timePlot('retrans', 'Retransmissions per period', tl, [
      { label: 'retransmissions', color: colors[4], values: (p) => num(p.retransmissions) }]);
    s.merged.response_times.forEach((rtd, i) => {
      timePlot('rtd' + i, 'RTD ' + rtd.name + ' per period (ms)', tl, [
        { label: 'p50', color: colors[0], values: (p) => (p.rtds[i] ? num(p.rtds[i].p50_ms) : null) },
        { label: 'p95', color: colors[1], values: (p) => (p.rtds[i] ? num(p.rtds[i].p95_ms) : null) },
        { label: 'p99', color: colors[3], values: (p) => (p.rtds[i] ? num(p.rtds[i].p99_ms) : null) }]);
      const buckets = rtd.buckets.length ? rtd.buckets : [{ le_ms: 0, count: 0 }];
      drawPlot('rtdhist' + i, 'RTD ' + rtd.name + ' histogram (whole run)', [
        buckets.map((b, k) => k), buckets.map((b) => num(b.count))], {
        scales: { x: { time: false } },
        axes: [{ label: '<= ms', values: (u, ticks) => ticks.map((t) => (buckets[t] ? fmt(buckets[t].le_ms, 2) : '')) }, {}],
        series: [{ label: 'bucket' }, { label: 'calls', fill: colors[0] + '88', stroke: colors[0],
          paths: uPlot.paths.bars({ size: [0.8, 40] }) }],
      });
    });
  }

  function distributionRows(name, d) {
    return [name, num(d.count), fmt(d.min_ms), fmt(d.mean_ms), fmt(d.p50_ms), fmt(d.p90_ms), fmt(d.p95_ms),
      fmt(d.p99_ms), fmt(d.p999_ms), fmt(d.max_ms)];
  }

  function renderTables(s) {
    const m = s.merged;
    const c = m.counters;
    const parts = [el('h2', {}, ['Totals']), table(
      ['calls created', 'successful', 'failed', 'retransmissions', 'target calls/s', 'achieved calls/s'],
      [[num(m.total_calls_created), num(c.SuccessfulCall), num(c.FailedCall), num(c.Retransmissions),
        fmt(m.target_calls_per_s, 2), fmt(m.achieved_calls_per_s, 2)]], 'totals')];
    parts.push(el('h2', {}, ['Latencies (ms)']), table(
      ['', 'count', 'min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
      m.response_times.map((d) => distributionRows('RTD ' + d.name, d)).concat(
        [distributionRows('call length', m.call_length)]), 'latencies'));
    parts.push(el('h2', {}, ['Messages']), table(
      ['#', 'message', 'sent', 'received', 'retransmissions', 'timeouts', 'unexpected'],
      m.messages.map((x) => [x.index, x.name, num(x.sent), num(x.received), num(x.retransmissions),
        num(x.timeouts), num(x.unexpected)]), 'messages'));
    if (s.agents.length) {
      parts.push(el('h2', {}, ['Agents']), table(
        ['agent', 'calls created', 'successful', 'failed', 'retransmissions', 'achieved calls/s',
          'RTD ' + (m.response_times[0] ? m.response_times[0].name : '') + ' p99 (ms)'],
        s.agents.map((a) => [a.agent, num(a.stats.total_calls_created), num(a.stats.counters.SuccessfulCall),
          num(a.stats.counters.FailedCall), num(a.stats.counters.Retransmissions),
          fmt(a.stats.achieved_calls_per_s, 2),
          a.stats.response_times[0] ? fmt(a.stats.response_times[0].p99_ms) : '']), 'agents'));
    }
    document.getElementById('tables').replaceChildren(...parts);
  }

  function render(s) {
    renderHeader(s);
    renderThresholds(s);
    renderPlots(s);
    renderTables(s);
  }

  function renderControls() {
    if (!config.control) return;
    const status = el('span', { id: 'control-status' }, []);
    const button = (action, label) => {
      const b = el('button', { id: 'btn-' + action, type: 'button' }, [label]);
      b.addEventListener('click', () => {
        fetch('control?action=' + action, { method: 'POST' })
          .then((r) => { status.textContent = action + ': ' + (r.ok ? 'sent' : 'refused (' + r.status + ')'); });
      });
      return b;
    };
    document.getElementById('controls').replaceChildren(button('rate_up', 'rate +'),
      button('rate_down', 'rate −'), button('pause', 'pause / resume'), button('quit', 'quit'), status);
  }

  const initial = JSON.parse(document.getElementById('sipfleet-data').textContent);
  // The live page keeps the periods it has and asks only for the new ones
  // (summary.json?timeline_from=N answers with timeline_from = N and the
  // periods from N on); a timeline that starts over (the cluster's start
  // barrier) is taken whole.
  const timeline = initial.timeline;
  render(initial);
  renderControls();
  if (config.live) {
    const update = (s) => {
      const from = num(s.timeline_from);
      if (from === timeline.length) timeline.push(...s.timeline);
      else timeline.splice(0, timeline.length, ...(from === 0 ? s.timeline : []));
      s.timeline = timeline;
      render(s);
      document.body.dataset.updates = String(num(document.body.dataset.updates) + 1);
      document.body.dataset.periods = String(timeline.length);
      document.body.dataset.lastPeriod = timeline.length ? String(timeline[timeline.length - 1].t_s) : '';
    };
    const poll = () => fetch('summary.json?timeline_from=' + timeline.length, { cache: 'no-store' })
      .then((r) => r.json()).then(update)
      .catch(() => { document.body.dataset.offline = 'true'; });
    setInterval(poll, Math.max(200, config.refresh_ms));
  }
})();
