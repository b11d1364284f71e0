/**
 * Line charts as standalone SVG text, written by hand (no dependency): axes with ticks, one
 * polyline and its point markers per series, a legend. Enough for the simulator's two charts,
 * rounds and messages against network size, and the lookup latency CDF; any browser shows them.
 *
 * @module
 */

/** One line of a chart. */
export interface ChartSeries {
  /** Its name, in the legend and in the polyline's `data-series` attribute. */
  readonly name: string;
  /** Its points `[x, y]`, drawn in the order given. */
  readonly points: readonly (readonly [number, number])[];
}

/**
 * What {@linkcode lineChartSvg} draws.
 *
 * @example
 * ```ts
 * import { type LineChart, lineChartSvg } from "@kdht/core/testing";
 *
 * const chart: LineChart = {
 *   title: "Rounds per lookup",
 *   xLabel: "nodes",
 *   yLabel: "rounds",
 *   series: [{ name: "mean", points: [[1000, 3.2], [3000, 3.9]] }],
 * };
 * console.log(lineChartSvg(chart).startsWith("<svg")); // true
 * ```
 */
export interface LineChart {
  /** Above the plot. */
  readonly title: string;
  /** Under the x axis. */
  readonly xLabel: string;
  /** Beside the y axis. */
  readonly yLabel: string;
  /** The lines. */
  readonly series: readonly ChartSeries[];
  /**
   * A logarithmic x axis (network sizes that grow by factors).
   * @default {false}
   */
  readonly logX?: boolean;
  /** The y axis's range; by default from 0 to a round number above the largest y. */
  readonly yRange?: readonly [number, number];
}

const WIDTH = 640;
const HEIGHT = 400;
const LEFT = 64;
const RIGHT = 150;
const TOP = 36;
const BOTTOM = 52;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / magnitude;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * magnitude;
}

function label(value: number): string {
  if (Math.abs(value) >= 1000) return `${Math.round(value / 100) / 10}k`;
  return String(Math.round(value * 1000) / 1000);
}

function linearTicks(lo: number, hi: number): number[] {
  const step = niceStep(hi - lo || 1, 5);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
  return out;
}

/**
 * Draws a line chart.
 *
 * @param chart the title, axis labels and series
 * @returns the SVG document, starting with `<svg`
 * @throws {RangeError} if a point is not finite, or a log axis meets an x ≤ 0
 */
export function lineChartSvg(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points);
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y) || (chart.logX === true && x <= 0)) {
      throw new RangeError(`Cannot draw chart '${chart.title}': bad point [${x}, ${y}]`);
    }
  }
  const fx = chart.logX === true ? Math.log10 : (x: number) => x;
  const xs = points.map(([x]) => fx(x));
  let x0 = xs.length === 0 ? 0 : Math.min(...xs);
  let x1 = xs.length === 0 ? 1 : Math.max(...xs);
  if (x0 === x1) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  const yMax = points.length === 0 ? 1 : Math.max(...points.map(([, y]) => y));
  const [y0, y1] = chart.yRange ?? [0, yMax <= 0 ? 1 : yMax + niceStep(yMax, 5) * 0.5];
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const px = (x: number): number => LEFT + ((fx(x) - x0) / (x1 - x0)) * plotW;
  const py = (y: number): number => TOP + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const n = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${
      escapeXml(chart.title)
    }</text>`,
  ];
  const xTicks = chart.logX === true
    ? [...new Set(points.map(([x]) => x))].sort((a, b) => a - b)
    : linearTicks(x0, x1);
  for (const x of xTicks) {
    out.push(
      `<line x1="${n(px(x))}" y1="${TOP}" x2="${n(px(x))}" y2="${TOP + plotH}" stroke="#eee"/>`,
      `<text x="${n(px(x))}" y="${TOP + plotH + 16}" text-anchor="middle">${label(x)}</text>`,
    );
  }
  for (const y of linearTicks(y0, y1)) {
    out.push(
      `<line x1="${LEFT}" y1="${n(py(y))}" x2="${LEFT + plotW}" y2="${n(py(y))}" stroke="#eee"/>`,
      `<text x="${LEFT - 6}" y="${n(py(y) + 4)}" text-anchor="end">${label(y)}</text>`,
    );
  }
  out.push(
    `<rect x="${LEFT}" y="${TOP}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${LEFT + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">${
      escapeXml(chart.xLabel)
    }</text>`,
    `<text transform="translate(16 ${TOP + plotH / 2}) rotate(-90)" text-anchor="middle">${
      escapeXml(chart.yLabel)
    }</text>`,
  );
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!;
    const coords = series.points.map(([x, y]) => `${n(px(x))},${n(py(y))}`);
    out.push(
      `<polyline data-series="${escapeXml(series.name)}" fill="none" stroke="${color}" ` +
        `stroke-width="2" points="${coords.join(" ")}"/>`,
    );
    if (series.points.length <= 20) {
      for (const c of coords) {
        const [cx, cy] = c.split(",");
        out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
      }
    }
    const ly = TOP + 10 + i * 18;
    out.push(
      `<line x1="${WIDTH - RIGHT + 12}" y1="${ly}" x2="${WIDTH - RIGHT + 32}" y2="${ly}" ` +
        `stroke="${color}" stroke-width="2"/>`,
      `<text x="${WIDTH - RIGHT + 38}" y="${ly + 4}">${escapeXml(series.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
