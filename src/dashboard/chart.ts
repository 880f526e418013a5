/**
 * A stacked bar chart as inline SVG, made on the server (no script, no library, no external asset):
 * one bar per day, one segment per series, a few labelled gridlines, a <title> on every segment for
 * its day and count. Ours rather than a library's: what the overview needs is this file.
 */
import { escapeHtml, Html } from './html.js';

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
}

export interface StackedBarChart {
  readonly title: string;
  /** One label per bar (a day: YYYY-MM-DD). */
  readonly labels: readonly string[];
  readonly series: readonly ChartSeries[];
  /** values[s][b]: series s at bar b. */
  readonly values: readonly (readonly number[])[];
}

const WIDTH = 720;
const HEIGHT = 220;
const LEFT = 40;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 28;

/** A round step for about four gridlines up to `max`. */
function gridStep(max: number): number {
  const rough = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? rough;
  return Math.max(1, step);
}

export function stackedBarChart(chart: StackedBarChart): Html {
  const bars = chart.labels.length;
  const totals = chart.labels.map((_, bar) => chart.values.reduce((sum, values) => sum + (values[bar] ?? 0), 0));
  const step = gridStep(Math.max(1, ...totals));
  const top = Math.max(step, Math.ceil(Math.max(1, ...totals) / step) * step);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, bars);
  const barWidth = Math.max(1, slot * 0.75);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const parts: string[] = [];
  for (let value = 0; value <= top; value += step) {
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 4}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${value}</text>`,
    );
  }
  chart.labels.forEach((label, bar) => {
    const x = LEFT + bar * slot + (slot - barWidth) / 2;
    let base = 0;
    chart.series.forEach((series, index) => {
      const value = chart.values[index]?.[bar] ?? 0;
      if (value <= 0) return;
      const height = y(base) - y(base + value);
      parts.push(
        `<rect class="bar" data-series="${escapeHtml(series.name)}" data-day="${escapeHtml(label)}" data-value="${value}" x="${x.toFixed(1)}" y="${y(base + value).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}" fill="${escapeHtml(series.color)}"><title>${escapeHtml(`${label}: ${value} ${series.name}`)}</title></rect>`,
      );
      base += value;
    });
    // Every seventh day back from the last is labelled (MM-DD), and the first when not crowded by one.
    if ((bars - 1 - bar) % 7 === 0 || (bar === 0 && (bars - 1) % 7 >= 3)) {
      parts.push(
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${HEIGHT - 10}" text-anchor="middle" font-size="11" fill="#555">${escapeHtml(label.slice(5))}</text>`,
      );
    }
  });
  const legend = chart.series
    .map(
      (series) =>
        `<span class="key"><span class="swatch" style="background:${escapeHtml(series.color)}"></span>${escapeHtml(series.name)}</span>`,
    )
    .join(' ');
  return new Html(
    `<figure class="chart"><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${escapeHtml(chart.title)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(chart.title)}</title>${parts.join('')}</svg><figcaption>${legend}</figcaption></figure>`,
  );
}
