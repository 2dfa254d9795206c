// A small hand-written SVG bar chart: one bar per day, stacked by model, with a legend. Presentation
// attributes only (no inline style), so it works under the dashboard's strict Content-Security-Policy.
import {h, daysBetween} from './dom.js';

const PALETTE = ['#f97316', '#2563eb', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777', '#4b5563'];

/**
 * rows: [{date, model, ...}], value: row → number, from/to: YYYY-MM-DD. Days without rows get an empty slot,
 * so gaps show as gaps. format: number → label text for tooltips and the caption; axis: number → the shorter
 * text of the y-axis labels (default: format). The left margin is as wide as the longest axis label.
 */
export function dailyBars({rows, value, from, to, format, axis = format, title, width}) {
  const days = daysBetween(from, to);
  const models = [...new Set(rows.map(r => r.model))].sort();
  const color = m => PALETTE[models.indexOf(m) % PALETTE.length];
  const byDay = new Map(days.map(d => [d, new Map()]));
  for (const r of rows) {
    const m = byDay.get(r.date);
    if (m) m.set(r.model, (m.get(r.model) || 0) + value(r));
  }
  const totals = days.map(d => [...byDay.get(d).values()].reduce((a, b) => a + b, 0));
  const max = Math.max(0, ...totals);
  const sum = totals.reduce((a, b) => a + b, 0);

  // drawn at the width it will be shown at, so labels keep their size on a phone
  const ticks = [0.5, 1].map(frac => [frac, max > 0 ? axis(max * frac) : '']);
  // 11px tick text is at most about 7px a character; 10px between the label and the plot
  const left = Math.max(40, 10 + 7 * Math.max(...ticks.map(([, t]) => t.length)));
  const W = Math.round(Math.max(300, Math.min(1100, width || 720))), H = 220, bottom = 24, top = 10, right = 8;
  const plotW = W - left - right, plotH = H - top - bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, Math.min(28, slot * 0.72));
  const y = v => (max > 0 ? (v / max) * plotH : 0);

  const svg = h('svg:svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${title}: ${format(sum)} over ${days.length} days`,
    'data-total': String(sum), 'data-days': String(days.length)});
  svg.appendChild(h('svg:line', {x1: left, x2: W - right, y1: top + plotH, y2: top + plotH, class: 'axis'}));
  for (const [frac, text] of ticks) {
    const yy = top + plotH - plotH * frac;
    svg.appendChild(h('svg:line', {x1: left, x2: W - right, y1: yy, y2: yy, class: 'grid'}));
    svg.appendChild(h('svg:text', {x: left - 6, y: yy + 4, 'text-anchor': 'end', class: 'tick y-tick'}, text));
  }
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let base = top + plotH;
    const g = h('svg:g', {class: 'bar', 'data-day': d, 'data-value': String(totals[i])});
    g.appendChild(h('svg:title', {}, `${d}: ${format(totals[i])}` + [...byDay.get(d)].map(([m, v]) => `\n${m}: ${format(v)}`).join('')));
    // an invisible full-height target so the tooltip works on empty days too
    g.appendChild(h('svg:rect', {x: left + i * slot, y: top, width: slot, height: plotH, class: 'hit'}));
    for (const m of models) {
      const v = byDay.get(d).get(m) || 0;
      if (v <= 0) continue;
      const hh = Math.max(1, y(v));
      base -= hh;
      g.appendChild(h('svg:rect', {x, y: base, width: barW, height: hh, fill: color(m), rx: 1.5}));
    }
    svg.appendChild(g);
  });
  const label = (i, anchor) => h('svg:text', {x: left + i * slot + slot / 2, y: H - 6, 'text-anchor': anchor, class: 'tick'}, days[i].slice(5));
  if (days.length) {
    svg.appendChild(label(0, 'start'));
    if (days.length > 1) svg.appendChild(label(days.length - 1, 'end'));
  }
  const legend = h('ul', {class: 'legend'}, models.map(m => h('li', {}, h('span', {class: 'swatch', 'data-color': color(m)}), m)));
  // swatch colours are set through the CSSOM, which CSP allows (style attributes are not)
  legend.querySelectorAll('.swatch').forEach(s => { s.style.background = s.dataset.color; });
  return h('figure', {class: 'chart-box'},
    h('figcaption', {}, h('strong', {}, title), h('span', {class: 'muted'}, ` ${format(sum)} from ${from} to ${to}`)),
    svg, models.length ? legend : h('p', {class: 'muted small'}, 'No usage in this range yet.'));
}

/** The inner width a chart gets inside a card in `container` (its padding and border taken off). */
export function chartWidth(container) {
  const cs = getComputedStyle(container);
  const inner = container.clientWidth - parseFloat(cs.paddingLeft || 0) - parseFloat(cs.paddingRight || 0);
  return inner > 0 ? inner - 34 : 720;
}

/** A tiny line of a vector's values, to see its shape at a glance. */
export function sparkline(values) {
  const W = 320, H = 48;
  const min = Math.min(...values), max = Math.max(...values);
  const span = max - min || 1;
  const pts = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * W},${H - ((v - min) / span) * H}`).join(' ');
  return h('svg:svg', {viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'spark', role: 'img', 'aria-label': `${values.length} values from ${min.toFixed(3)} to ${max.toFixed(3)}`},
    h('svg:polyline', {points: pts, fill: 'none', class: 'spark-line', 'vector-effect': 'non-scaling-stroke'}));
}
