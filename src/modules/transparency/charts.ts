/**
 * Charts of the transparency dashboards, drawn on the server as SVG with ECharts' server-side
 * renderer: the pages need no JavaScript, and every chart sits beside a table of the same
 * numbers. The SVG is made to pass the site's Content-Security-Policy (no <style> element, no
 * style attributes: those become SVG presentation attributes) and is labelled for screen readers
 * (role="img" with a <title> and <desc>).
 */
import * as echarts from 'echarts';
import type { Locale } from '../../platform/i18n/format.js';
import { formatNumber } from '../../platform/i18n/format.js';

export type ValueUnit = 'count' | 'share' | 'days' | 'rials' | 'score';

const FONT = 'Vazirmatn, Tahoma, sans-serif';
/** Colours with at least 4.5:1 contrast on white, told apart also by line style and markers. */
export const CHART_COLORS = ['#1f5fa8', '#b4540a', '#0b7a53', '#7a3fa0'] as const;

const numberFormats = {
  fa: [new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 0 }), new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 1 }), new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 2 })],
  en: [new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 }), new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }), new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 })],
} as const;

/** A figure as people read it: «۷۵٪», «۴٫۵ روز» / '75%', '4.5 days'; null reads as a dash. */
export function formatValue(value: number | null | undefined, unit: ValueUnit, locale: Locale, opts: { withUnit?: boolean } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const withUnit = opts.withUnit ?? true;
  const f = numberFormats[locale];
  switch (unit) {
    case 'share': {
      const pct = f[1].format(value * 100);
      return locale === 'fa' ? `${pct}٪` : `${pct}%`;
    }
    case 'days': {
      const d = f[1].format(value);
      return withUnit ? (locale === 'fa' ? `${d} روز` : `${d} days`) : d;
    }
    case 'rials':
      return withUnit ? (locale === 'fa' ? `${formatNumber(Math.round(value), 'fa')} ریال` : `${formatNumber(Math.round(value), 'en')} IRR`) : formatNumber(Math.round(value), locale);
    case 'score':
      return f[1].format(value);
    default:
      return f[0].format(value);
  }
}

/** A short axis label: shares as percentages, large numbers abbreviated, Persian digits in Persian. */
function axisLabel(value: number, unit: ValueUnit, locale: Locale): string {
  if (unit === 'share') return formatValue(value, 'share', locale);
  const abs = Math.abs(value);
  const f = numberFormats[locale][1];
  if (abs >= 1e9) return `${f.format(value / 1e9)}${locale === 'fa' ? ' میلیارد' : 'B'}`;
  if (abs >= 1e6) return `${f.format(value / 1e6)}${locale === 'fa' ? ' میلیون' : 'M'}`;
  if (abs >= 1e4) return `${f.format(value / 1e3)}${locale === 'fa' ? ' هزار' : 'k'}`;
  return f.format(value);
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

let chartSeq = 0;

/**
 * ECharts' SSR string made fit for the page: the <style> element (hover rules only), class
 * names and ECharts' metadata attributes go; style attributes become presentation attributes;
 * the root gets role="img", a title and a description, and scales with its container.
 */
export function sanitizeSvg(svg: string, title: string, desc: string): string {
  const id = `pk-chart-${(chartSeq = (chartSeq + 1) % 1e9)}`;
  let out = svg
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, '')
    .replace(/\s(?:class|ecmeta_[a-z_]+)="[^"]*"/g, '')
    .replace(/\sstyle="([^"]*)"/g, (_, css: string) => css.split(';').map((decl) => decl.trim()).filter(Boolean).map((decl) => {
      const i = decl.indexOf(':');
      const prop = decl.slice(0, i).trim().toLowerCase();
      const value = decl.slice(i + 1).trim();
      return /^[a-z-]+$/.test(prop) && i > 0 ? ` ${prop}="${value.replace(/"/g, '&quot;')}"` : '';
    }).join(''))
    .replace(/\son[a-z]+="[^"]*"/gi, '');
  out = out.replace(/^<svg([^>]*)>/, (_, attrs: string) => {
    const kept = attrs.replace(/\s(?:width|height)="[^"]*"/g, '');
    // The page may be right-to-left; ECharts places text for a left-to-right SVG (text-anchor follows the direction).
    return `<svg${kept} direction="ltr" role="img" aria-labelledby="${id}-t ${id}-d" class="pk-chart w-100 h-auto" focusable="false"><title id="${id}-t">${escapeXml(title)}</title><desc id="${id}-d">${escapeXml(desc)}</desc>`;
  });
  return out;
}

function render(option: echarts.EChartsCoreOption, size: { width: number; height: number }, title: string, desc: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: 13, color: '#212529' }, color: [...CHART_COLORS], ...option });
    return sanitizeSvg(chart.renderToSVGString(), title, desc);
  } finally {
    chart.dispose();
  }
}

export interface TrendSeries {
  name: string;
  values: (number | null)[];
  kind?: 'line' | 'bar';
}

/**
 * Values over successive periods (oldest first). In Persian time runs from right to left, so
 * the category axis is reversed and the value axis stands on the right.
 */
function drawTrendChart(input: { locale: Locale; title: string; desc: string; periods: string[]; series: TrendSeries[]; unit: ValueUnit; width?: number; height?: number }): string {
  const rtl = input.locale === 'fa';
  const dashes = ['solid', 'dashed', 'dotted', 'solid'] as const;
  const symbols = ['circle', 'rect', 'triangle', 'diamond'] as const;
  return render({
    grid: { left: rtl ? 16 : 56, right: rtl ? 56 : 16, top: (input.width ?? 640) < 500 ? 72 : 40, bottom: 36 },
    // In Persian the first series' key stands rightmost, its symbol to the right of its name.
    legend: { top: 4, [rtl ? 'right' : 'left']: 8, data: rtl ? input.series.map((s) => s.name).reverse() : input.series.map((s) => s.name), align: rtl ? 'right' : 'left', textStyle: { fontFamily: FONT, fontSize: 13 }, itemGap: 16 },
    xAxis: { type: 'category', data: input.periods, inverse: rtl, axisLabel: { fontFamily: FONT, fontSize: 12, hideOverlap: true }, axisTick: { alignWithLabel: true } },
    yAxis: {
      type: 'value', position: rtl ? 'right' : 'left', min: 0, ...(input.unit === 'share' ? { max: 1 } : {}),
      axisLabel: { fontFamily: FONT, fontSize: 12, formatter: (v: number) => axisLabel(v, input.unit, input.locale) },
    },
    series: input.series.map((s, i) => s.kind === 'bar'
      ? { type: 'bar', name: s.name, data: s.values, barMaxWidth: 28 }
      : { type: 'line', name: s.name, data: s.values, connectNulls: false, symbol: symbols[i % 4], symbolSize: 7, lineStyle: { width: 2.5, type: dashes[i % 4] } }),
  }, { width: input.width ?? 640, height: input.height ?? 300 }, input.title, input.desc);
}

/**
 * Bars for labelled values: horizontal (a league table: the first item on top) or vertical
 * (a distribution). Each bar carries its value, in the page's digits.
 */
function drawBarChart(input: { locale: Locale; title: string; desc: string; labels: string[]; values: (number | null)[]; unit: ValueUnit; horizontal?: boolean; width?: number; height?: number; color?: string }): string {
  const rtl = input.locale === 'fa';
  const valueAxis = {
    type: 'value', min: 0, ...(input.unit === 'share' ? { max: 1 } : {}),
    axisLabel: { fontFamily: FONT, fontSize: 12, formatter: (v: number) => axisLabel(v, input.unit, input.locale) },
  };
  const label = {
    show: true, fontFamily: FONT, fontSize: 12, color: '#212529',
    position: input.horizontal ? (rtl ? 'left' : 'right') : 'top',
    formatter: (p: { value: number | null }) => formatValue(p.value, input.unit, input.locale, { withUnit: false }),
  };
  const data = input.values.map((v) => ({ value: v, itemStyle: { color: input.color ?? CHART_COLORS[0] } }));
  if (input.horizontal) {
    const labelRoom = (input.width ?? 640) < 500 ? 112 : 150;
    const height = input.height ?? Math.max(160, 40 + input.labels.length * 30);
    return render({
      grid: { left: rtl ? 44 : labelRoom, right: rtl ? labelRoom : 44, top: 12, bottom: 28 },
      xAxis: { ...valueAxis, inverse: rtl },
      yAxis: { type: 'category', data: input.labels, inverse: true, position: rtl ? 'right' : 'left', axisLabel: { fontFamily: FONT, fontSize: 13 }, axisTick: { show: false } },
      series: [{ type: 'bar', data, label, barMaxWidth: 20 }],
    }, { width: input.width ?? 640, height }, input.title, input.desc);
  }
  return render({
    grid: { left: rtl ? 16 : 56, right: rtl ? 56 : 16, top: 28, bottom: 32 },
    xAxis: { type: 'category', data: input.labels, inverse: rtl, axisLabel: { fontFamily: FONT, fontSize: 13, interval: 0 }, axisTick: { alignWithLabel: true } },
    yAxis: { ...valueAxis, position: rtl ? 'right' : 'left' },
    series: [{ type: 'bar', data, label, barMaxWidth: 48 }],
  }, { width: input.width ?? 480, height: input.height ?? 260 }, input.title, input.desc);
}

// Drawing a chart takes milliseconds; the same figures give the same SVG, so drawn charts are
// kept (by their input) until there are too many.
const drawn = new Map<string, string>();
function remembered<T>(kind: string, input: T, draw: (input: T) => string): string {
  const key = kind + JSON.stringify(input);
  const seen = drawn.get(key);
  if (seen !== undefined) return seen;
  const svg = draw(input);
  if (drawn.size >= 1_000) drawn.clear();
  drawn.set(key, svg);
  return svg;
}

/** A trend over periods: lines (or bars) of one unit, as accessible, CSP-safe SVG. */
export function trendChart(input: Parameters<typeof drawTrendChart>[0]): string {
  return remembered('trend', input, drawTrendChart);
}

/** Bars (vertical or horizontal) of one unit, as accessible, CSP-safe SVG. */
export function barChart(input: Parameters<typeof drawBarChart>[0]): string {
  return remembered('bar', input, drawBarChart);
}
