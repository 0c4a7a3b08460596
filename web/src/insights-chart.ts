// The trend line of <csat-insights>: CSAT per bucket with its 95 % interval as a band, drawn with d3-scale and
// d3-shape into a Lit SVG template (no charting bundle). Pure: points in, SVG out.
import { scaleLinear } from 'd3-scale';
import { area, curveMonotoneX, line } from 'd3-shape';
import { nothing, svg, type TemplateResult } from 'lit';
import type { TrendPoint } from './insights-data.js';

export const CHART = { width: 640, height: 220, left: 46, right: 14, top: 12, bottom: 30 };

export interface ChartOptions {
  /** The point whose tooltip shows (-1: none), and the one keyboard focus lands on (roving tabindex). */
  active: number;
  tabStop: number;
  percent(v: number): string;
  /** A point's x-axis label (a date). */
  tick(point: TrendPoint): string;
  /** A point's accessible name (and its tooltip's text). */
  label(point: TrendPoint): string;
}

const mid = (p: TrendPoint) => (Date.parse(p.start) + Date.parse(p.end)) / 2;

export function chartScales(points: TrendPoint[]) {
  const xs = points.map(mid);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const x = scaleLinear()
    .domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi])
    .range([CHART.left + 8, CHART.width - CHART.right - 8]);
  const y = scaleLinear().domain([0, 1]).range([CHART.height - CHART.bottom, CHART.top]);
  return { x, y };
}

/** The SVG's content: grid, y ticks, x labels (first, middle, last), the band, the line, one focusable mark per point. */
export function trendChart(points: TrendPoint[], o: ChartOptions): TemplateResult {
  const { x, y } = chartScales(points);
  const has = (p: TrendPoint) => p.count > 0 && p.satisfiedShare !== null;
  const band = area<TrendPoint>()
    .defined((p) => has(p) && p.satisfiedInterval !== null)
    .x((p) => x(mid(p)))
    .y0((p) => y(p.satisfiedInterval!.low))
    .y1((p) => y(p.satisfiedInterval!.high))
    .curve(curveMonotoneX);
  const path = line<TrendPoint>()
    .defined(has)
    .x((p) => x(mid(p)))
    .y((p) => y(p.satisfiedShare!))
    .curve(curveMonotoneX);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const labelled = [...new Set([0, Math.floor((points.length - 1) / 2), points.length - 1])];
  return svg`
    <g aria-hidden="true" class="axis">
      ${ticks.map(
        (t) => svg`<line x1=${CHART.left} x2=${CHART.width - CHART.right} y1=${y(t)} y2=${y(t)} class="grid"></line>
          <text x=${CHART.left - 6} y=${y(t)} dy="0.32em" text-anchor="end">${o.percent(t)}</text>`,
      )}
      ${labelled.map((i) => svg`<text x=${x(mid(points[i]!))} y=${CHART.height - 8} text-anchor=${i === 0 && points.length > 1 ? 'start' : i === points.length - 1 && points.length > 1 ? 'end' : 'middle'}>${o.tick(points[i]!)}</text>`)}
    </g>
    <path class="band" part="band" d=${band(points) ?? ''} aria-hidden="true"></path>
    <path class="line" part="line" d=${path(points) ?? ''} aria-hidden="true"></path>
    ${points.map((p, i) => {
      const cx = x(mid(p));
      const cy = has(p) ? y(p.satisfiedShare!) : y(0);
      return svg`<circle class="point ${has(p) ? '' : 'empty'} ${i === o.active ? 'active' : ''}" data-i=${i} cx=${cx} cy=${cy} r=${has(p) ? 4 : 2.5}
        role="img" aria-label=${o.label(p)} tabindex=${i === o.tabStop ? '0' : '-1'}></circle>`;
    })}
    ${o.active >= 0 && points[o.active] ? svg`<line class="cursor" aria-hidden="true" x1=${x(mid(points[o.active]!))} x2=${x(mid(points[o.active]!))} y1=${CHART.top} y2=${CHART.height - CHART.bottom}></line>` : nothing}
  `;
}

/** Where a point's tooltip goes, in % of the chart box (the SVG scales with its width). */
export function tipPosition(points: TrendPoint[], i: number): { left: number; top: number } {
  const { x, y } = chartScales(points);
  const p = points[i]!;
  return { left: (x(mid(p)) / CHART.width) * 100, top: ((p.satisfiedShare === null ? y(0) : y(p.satisfiedShare)) / CHART.height) * 100 };
}
