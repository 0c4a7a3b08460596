import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { INSIGHTS_TEXTS, languageOf, type InsightsStrings } from './catalogue.js';
import { CsatError, graphql, type CsatFetch } from './client.js';
import { errorText, fill, formatNumber, langOf, MAX } from './i18n.js';
import { CHART, tipPosition, trendChart } from './insights-chart.js';
import { THEMES_TEXTS, themesSection, themesStyles } from './csat-themes.js';
import {
  dayText,
  INSIGHTS_QUERY,
  insightsVariables,
  periodOf,
  PRESETS,
  readInsights,
  significant,
  type AgentRow,
  type InsightsData,
  type Interval,
  type Period,
  type Preset,
  type Summary,
  type TrendPoint,
} from './insights-data.js';
import { staticStars, tokens } from './styles.js';
// The follow-up queue, a part of the dashboard in its own file (issue 22): it defines <csat-follow-ups>.
import './csat-follow-ups.js';
import { dayOfText, zone, type Zone } from './zone.js';

export type { InsightsStrings } from './catalogue.js';

/** The English texts (every language: catalogue.ts). */
export const INSIGHTS_STRINGS: InsightsStrings = INSIGHTS_TEXTS.en;

export type InsightsState = 'loading' | 'ready' | 'empty' | 'error' | 'forbidden';

/** `assignee-ids`: ids separated by commas or white space. */
const idList = {
  fromAttribute: (v: string | null) => (v ? v.split(/[\s,]+/).filter(Boolean) : null),
  toAttribute: (v: string[] | null) => (v?.length ? v.join(',') : null),
};

/**
 * `<csat-insights endpoint>`: the support lead's report. A period picker and an agent filter; tiles (CSAT,
 * average, response rate with their 95 % intervals, count, each against the previous period of the same
 * length); the 1-5 distribution; the trend with its interval band (a tooltip per point, by mouse and keyboard,
 * and the data as a table for screen readers); the agents ranked by the lower bound of their CSAT interval; the
 * unhappy and vocal ratings. One GraphQL request per change. Events: `csat-change` (detail: { period, from, to,
 * assigneeIds }) when the user changes the period or the agent, `csat-error` (detail: { code, message }).
 */
export class CsatInsights extends LitElement {
  static override properties = {
    endpoint: {},
    token: { attribute: false },
    fetch: { attribute: false },
    strings: { type: Object },
    lang: { reflect: true },
    period: { reflect: true },
    from: {},
    to: {},
    assigneeIds: { attribute: 'assignee-ids', converter: idList, reflect: true },
    timeZone: { attribute: 'time-zone' },
    ticketHref: { attribute: 'ticket-href' },
    agentNames: { attribute: 'agent-names', type: Object },
    minRatings: { attribute: 'min-ratings', type: Number },
    me: {},
    state: { reflect: true },
    _data: { state: true },
    _error: { state: true },
    _point: { state: true },
    _tabStop: { state: true },
    _tipHidden: { state: true },
    _draft: { state: true },
  };

  /** The GraphQL endpoint (the gateway). */
  declare endpoint: string;
  /** Sent as `Authorization: Bearer …`; property only, never stored. */
  declare token: string | null;
  declare fetch: CsatFetch | null;
  declare strings: Partial<InsightsStrings> | null;
  /** `last7`, `last30` (default), `last90`, `thisYear`, `custom` (with `from` and `to`). */
  declare period: Preset;
  /** The custom range's first and last day, YYYY-MM-DD, inclusive. */
  declare from: string | null;
  declare to: string | null;
  declare assigneeIds: string[] | null;
  /** IANA zone the days start in; default the browser's. */
  declare timeZone: string | null;
  /** A link per unhappy rating's ticket: `{id}` is the ticket id (for example `/tickets/{id}`); none without it. */
  declare ticketHref: string | null;
  /** Display names by assignee id; an unnamed agent shows as "Agent 1a2b3c4d". */
  declare agentNames: Record<string, string> | null;
  /** Below this many ratings in the period an agent is not ranked ("not enough ratings yet"). */
  declare minRatings: number;
  /** The signed-in agent's id, for the follow-up queue's "Assign to me" (default: the token's `sub`). */
  declare me: string | null;
  declare state: InsightsState;
  declare private _data: InsightsData | null;
  declare private _error: CsatError | null;
  declare private _point: number;
  declare private _tabStop: number;
  declare private _tipHidden: boolean;
  /** A custom range being chosen (first and last day): nothing is asked until Apply. */
  declare private _draft: { from: string; to: string } | null;
  private _loads = 0;
  private _period: Period | null = null;
  private _zone: Zone | null = null;
  private _measure = false;

  constructor() {
    super();
    this.endpoint = '/graphql';
    this.token = null;
    this.fetch = null;
    this.strings = null;
    this.period = 'last30';
    this.from = null;
    this.to = null;
    this.assigneeIds = null;
    this.timeZone = null;
    this.ticketHref = null;
    this.agentNames = null;
    this.minRatings = 10;
    this.me = null;
    this.state = 'loading';
    this._data = null;
    this._error = null;
    this._point = -1;
    this._tabStop = -1;
    this._tipHidden = false;
    this._draft = null;
  }

  static override styles = [
    tokens,
    themesStyles,
    css`
      :host {
        display: block;
        --_band: var(--csat-amber-soft, #fffbeb);
      }
      .panel {
        padding: 20px 24px;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_surface);
      }
      h2 {
        margin: 0;
        font-size: 1.2rem;
        font-weight: 650;
      }
      h3 {
        margin: 0 0 8px;
        font-size: 1rem;
        font-weight: 650;
      }
      .top {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 12px 24px;
        margin-bottom: 16px;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
        font-size: 0.9rem;
      }
      select,
      input,
      button {
        font: inherit;
        color: inherit;
      }
      select,
      input {
        padding: 4px 8px;
        border: 1px solid var(--_star-empty-outline);
        border-radius: calc(var(--_radius) - 2px);
        background: var(--_surface);
      }
      .filter {
        display: inline-flex;
        align-items: center;
        gap: 8px;
        padding: 2px 4px 2px 10px;
        border: 1px solid var(--_amber-border);
        border-radius: 999px;
        background: var(--_amber-soft);
        color: var(--_amber-text);
      }
      .filter button,
      button.link {
        padding: 2px 8px;
        border: 0;
        background: none;
        color: inherit;
        text-decoration: underline;
      }
      .message {
        margin: 8px 0;
        padding: 24px;
        text-align: center;
        color: var(--_muted);
        border: 1px dashed var(--_border);
        border-radius: var(--_radius);
      }
      .tiles {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
        gap: 12px;
        margin: 0 0 20px;
        padding: 0;
        list-style: none;
      }
      .tile {
        padding: 12px 14px;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
      }
      .tile .name {
        margin: 0;
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .tile .value {
        margin: 2px 0;
        font-size: 1.6rem;
        font-weight: 650;
        font-variant-numeric: tabular-nums;
      }
      .tile .sub,
      .hint,
      .change {
        margin: 0;
        font-size: 0.8rem;
        color: var(--_muted);
      }
      .change.real {
        color: var(--_text);
        font-weight: 600;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
        gap: 20px;
        margin-top: 20px;
      }
      .bars {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .bars li {
        display: grid;
        grid-template-columns: 3.2em 1fr 6.5em;
        align-items: center;
        gap: 8px;
        margin: 4px 0;
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
      }
      .track {
        height: 12px;
        border-radius: 6px;
        background: var(--_star-empty);
        overflow: hidden;
      }
      .fill {
        height: 100%;
        background: var(--_amber);
      }
      .chart-box {
        position: relative;
      }
      svg.chart {
        display: block;
        width: 100%;
        height: auto;
        overflow: visible;
      }
      .axis text {
        font-size: 11px;
        fill: var(--_muted);
      }
      .axis line.grid {
        stroke: var(--_border);
      }
      .band {
        fill: var(--_amber);
        fill-opacity: 0.25;
      }
      .line {
        fill: none;
        stroke: var(--_amber-strong);
        stroke-width: 2;
      }
      .point {
        fill: var(--_amber-strong);
        stroke: var(--_surface);
        stroke-width: 1.5;
        cursor: pointer;
      }
      .point.empty {
        fill: var(--_surface);
        stroke: var(--_star-empty-outline);
      }
      .point.active,
      .point:focus {
        outline: none;
        stroke: var(--_focus);
        stroke-width: 3;
      }
      .cursor {
        stroke: var(--_star-empty-outline);
        stroke-dasharray: 3 3;
      }
      .chart-tip {
        transform: translate(-50%, calc(-100% - 10px));
        bottom: auto;
        white-space: normal;
        width: max-content;
        max-width: 260px;
        opacity: 1;
        visibility: visible;
      }
      .sr-only {
        position: absolute;
        width: 1px;
        height: 1px;
        padding: 0;
        margin: -1px;
        overflow: hidden;
        clip: rect(0, 0, 0, 0);
        white-space: nowrap;
        border: 0;
      }
      ol.ranking,
      ul.unhappy {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .ranking li {
        display: grid;
        grid-template-columns: 3.5em 1fr auto;
        align-items: center;
        gap: 8px;
        padding: 6px 0;
        border-bottom: 1px solid var(--_border);
        font-size: 0.9rem;
      }
      .ranking li[aria-current='true'] {
        background: var(--_amber-soft);
      }
      .ranking .rank {
        color: var(--_muted);
        font-variant-numeric: tabular-nums;
      }
      .ranking button {
        justify-self: start;
        padding: 0;
        border: 0;
        background: none;
        color: var(--_focus);
        text-align: left;
        text-decoration: underline;
      }
      .ranking .score {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .ranking .few {
        color: var(--_muted);
        font-style: italic;
      }
      .unhappy li {
        padding: 8px 0;
        border-bottom: 1px solid var(--_border);
      }
      .unhappy .stars {
        --_star-size: 14px;
      }
      .unhappy .comment {
        margin: 4px 0;
        display: -webkit-box;
        -webkit-line-clamp: 3;
        -webkit-box-orient: vertical;
        overflow: hidden;
        overflow-wrap: anywhere;
        white-space: pre-wrap;
      }
      .unhappy .meta {
        margin: 0;
        font-size: 0.8rem;
        color: var(--_muted);
      }
      .unhappy a {
        color: var(--_focus);
      }
      [aria-busy='true'] .tiles,
      [aria-busy='true'] .grid,
      [aria-busy='true'] figure {
        opacity: 0.6;
      }
      figure {
        margin: 0;
      }
      .band-note {
        margin: 4px 0 0;
        font-size: 0.8rem;
        color: var(--_muted);
      }
    `,
  ];

  protected get s(): InsightsStrings {
    return { ...INSIGHTS_TEXTS[languageOf(this._lang)], ...this.strings };
  }

  private get _lang(): string | undefined {
    return this.lang || langOf(this);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('timeZone') || !this._zone) this._zone = zone(this.timeZone);
    if (['endpoint', 'token', 'fetch', 'period', 'from', 'to', 'assigneeIds', 'timeZone'].some((k) => changed.has(k))) void this.reload();
  }

  /** Reads everything again (what the retry of a failed load does): one GraphQL request. */
  async reload(): Promise<void> {
    const load = ++this._loads;
    const z = (this._zone ??= zone(this.timeZone));
    const period = (this._period = this._currentPeriod());
    this.state = 'loading';
    this._error = null;
    try {
      const data = await graphql({ endpoint: this.endpoint, token: this.token, fetch: this.fetch }, INSIGHTS_QUERY, insightsVariables(period, this.assigneeIds, z.name));
      if (load !== this._loads) return;
      // The first render after the data: measured (performance.measure 'csat-insights-render') in updated().
      performance.mark('csat-insights-data');
      this._measure = true;
      this._data = readInsights(data);
      this._point = -1;
      let stop = this._data.trend.length - 1;
      while (stop > 0 && !this._data.trend[stop]!.count) stop--;
      this._tabStop = Math.max(0, stop);
      this.state = this._data.current.count === 0 ? 'empty' : 'ready';
    } catch (err) {
      if (load !== this._loads) return;
      this._error = err instanceof CsatError ? err : new CsatError('INTERNAL_SERVER_ERROR', String(err));
      this.state = this._error.code === 'FORBIDDEN' || this._error.code === 'UNAUTHENTICATED' ? 'forbidden' : 'error';
      this.dispatchEvent(new CustomEvent('csat-error', { detail: { code: this._error.code, message: this._error.message }, bubbles: true, composed: true }));
    }
  }

  /** The period the properties describe now (a custom range without both days is the last 30 days). */
  private _currentPeriod(): Period {
    const z = (this._zone ??= zone(this.timeZone));
    const first = this.from ? dayOfText(this.from) : null;
    const last = this.to ? dayOfText(this.to) : null;
    return periodOf(this.period, z, Date.now(), first !== null && last !== null ? { first, last } : null);
  }

  protected override updated(): void {
    if (!this._measure) return;
    this._measure = false;
    performance.measure('csat-insights-render', 'csat-insights-data');
  }

  private _changed(): void {
    const p = this._currentPeriod();
    this.dispatchEvent(
      new CustomEvent('csat-change', {
        detail: { period: this.period, from: this.from, to: this.to, assigneeIds: this.assigneeIds ?? [], ratedFrom: new Date(p.from).toISOString(), ratedTo: new Date(p.to).toISOString() },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private _pickPeriod(e: Event): void {
    const value = (e.target as HTMLSelectElement).value as Preset;
    if (value === 'custom') {
      // The range shown so far, to adjust and apply; no request until then.
      const p = this._period;
      this._draft = p ? { from: dayText(p.first), to: dayText(p.last) } : { from: this.from ?? '', to: this.to ?? '' };
      return;
    }
    this._draft = null;
    this.period = value;
    this._changed();
  }

  private _applyRange(): void {
    const from = this.renderRoot.querySelector<HTMLInputElement>('#from')?.value ?? '';
    const to = this.renderRoot.querySelector<HTMLInputElement>('#to')?.value ?? '';
    if (dayOfText(from) === null || dayOfText(to) === null) return;
    // One update, so one request.
    this.from = from;
    this.to = to;
    this.period = 'custom';
    this._draft = null;
    this._changed();
  }

  private _pickAgent(id: string | null): void {
    this.assigneeIds = id ? [id] : null;
    this._changed();
  }

  private _agentName(id: string | null): string {
    if (id === null) return this.s.unassigned;
    return this.agentNames?.[id] ?? fill(this.s.agent, { id: id.slice(0, 8) });
  }

  // Formatting for `lang` (and the zone), each formatter built once: a render formats a few hundred values.
  private _formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

  private _number(opts: Intl.NumberFormatOptions): Intl.NumberFormat {
    const key = `n ${this._lang} ${JSON.stringify(opts)}`;
    let f = this._formats.get(key) as Intl.NumberFormat | undefined;
    if (!f) this._formats.set(key, (f = new Intl.NumberFormat(this._lang, opts)));
    return f;
  }

  private _pct(v: number | null, signed = false): string {
    if (v === null) return this.s.none;
    return this._number({ style: 'percent', maximumFractionDigits: 0, signDisplay: signed ? 'exceptZero' : 'auto' }).format(v);
  }

  private _avg(v: number | null, signed = false): string {
    if (v === null) return this.s.none;
    return this._number({ minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: signed ? 'exceptZero' : 'auto' }).format(v);
  }

  private _date(ms: number, opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string {
    const key = `d ${this._lang} ${this._zone?.name} ${JSON.stringify(opts)}`;
    let f = this._formats.get(key) as Intl.DateTimeFormat | undefined;
    if (!f) this._formats.set(key, (f = new Intl.DateTimeFormat(this._lang, { ...opts, timeZone: this._zone?.name })));
    return f.format(ms);
  }

  private _periodName(p: TrendPoint): string {
    const start = Date.parse(p.start);
    switch (this._period?.interval) {
      case 'MONTH':
        return this._date(start, { month: 'long', year: 'numeric' });
      case 'WEEK':
        return fill(this.s.weekOf, { date: this._date(start) });
      default:
        return this._date(start);
    }
  }

  private _pointLabel = (p: TrendPoint): string => {
    const period = this._periodName(p);
    if (!p.count || p.satisfiedShare === null) return fill(this.s.pointEmpty, { period });
    return fill(this.s.point, {
      period,
      csat: this._pct(p.satisfiedShare),
      low: this._pct(p.satisfiedInterval?.low ?? null),
      high: this._pct(p.satisfiedInterval?.high ?? null),
      average: this._avg(p.average),
      count: formatNumber(this._lang, p.count),
    });
  };

  override render() {
    const s = this.s;
    if (this.state === 'forbidden') {
      return html`<section class="panel" part="panel" aria-labelledby="heading">
        <h2 id="heading" part="heading">${s.heading}</h2>
        <p class="message" part="forbidden" role="alert">${this._error?.code === 'UNAUTHENTICATED' ? s.unauthenticated : s.forbidden}</p>
      </section>`;
    }
    const busy = this.state === 'loading';
    return html`<section class="panel" part="panel" aria-labelledby="heading" aria-busy=${busy ? 'true' : 'false'}>
      <div class="top">
        <h2 id="heading" part="heading">${s.heading}</h2>
        ${this._controls()}
      </div>
      ${this.state === 'error'
        ? html`<div class="error" part="error" role="alert" data-code=${this._error?.code ?? ''}>
            <span>${errorText(s, this._error?.code ?? '')}</span>
            <button class="secondary" part="retry" type="button" @click=${() => this.reload()}>${s.retry}</button>
          </div>`
        : busy && !this._data
          ? html`<p class="message" part="loading" role="status">${s.loading}</p>`
          : this.state === 'empty'
            ? html`<p class="message" part="empty" role="status">${s.empty}</p>`
            : this._data
              ? this._dashboard(this._data)
              : nothing}
      <csat-follow-ups part="follow-up-queue" exportparts="follow-ups, follow-up, follow-up-state, follow-up-age, follow-up-owner, assign-to-me, mark-contacted, mark-done, done-form, note, save-done"
        .endpoint=${this.endpoint} .token=${this.token} .fetch=${this.fetch} .me=${this.me} .agentNames=${this.agentNames}
        ticket-href=${this.ticketHref ?? nothing} lang=${this.lang || nothing}></csat-follow-ups>
    </section>`;
  }

  private _controls() {
    const s = this.s;
    const names: Record<Preset, string> = { last7: s.last7, last30: s.last30, last90: s.last90, thisYear: s.thisYear, custom: s.custom };
    const agent = this.assigneeIds?.length === 1 ? this._agentName(this.assigneeIds[0]!) : this.assigneeIds?.map((id) => this._agentName(id)).join(', ');
    return html`<div class="controls" part="controls">
      <label for="period">${s.periodLabel}</label>
      <select id="period" part="period" @change=${this._pickPeriod}>
        ${PRESETS.map((p) => html`<option value=${p} ?selected=${p === (this._draft ? 'custom' : this.period)}>${names[p]}</option>`)}
      </select>
      ${this._draft || this.period === 'custom'
        ? html`<label for="from">${s.from}</label><input id="from" part="range" type="date" .value=${this._draft?.from ?? this.from ?? ''} />
            <label for="to">${s.to}</label><input id="to" part="range" type="date" .value=${this._draft?.to ?? this.to ?? ''} />
            <button class="secondary" part="apply" type="button" @click=${this._applyRange}>${s.apply}</button>`
        : nothing}
      ${agent
        ? html`<span class="filter" part="agent-filter"
            >${fill(s.agentFilter, { agent })}<button type="button" part="clear-agent" @click=${() => this._pickAgent(null)}>${s.allAgents}</button></span
          >`
        : nothing}
    </div>`;
  }

  private _dashboard(d: InsightsData) {
    return html`${this._tiles(d.current, d.previous)} ${this._trend(d.trend)}
      <div class="grid">${this._distribution(d.current)} ${this._ranking(d.agents)} ${this._unhappy(d)} ${this._themes(d)}</div>`;
  }

  private _tile(name: string, value: string, sub: string | null, change: unknown) {
    return html`<li class="tile" part="tile">
      <p class="name">${name}</p>
      <p class="value">${value}</p>
      ${sub ? html`<p class="sub">${sub}</p>` : nothing} ${change}
    </li>`;
  }

  /** The change against the previous period, and whether the intervals say it is real. */
  private _change(now: number | null, before: number | null, a: Interval | null, b: Interval | null, format: (v: number, signed: boolean) => string) {
    const s = this.s;
    if (before === null || now === null) return html`<p class="change">${s.noPrevious}</p>`;
    const real = significant(a, b);
    // A count has no interval: its change is shown, never judged.
    const verdict = a && b ? ` · ${real ? s.significant : s.notSignificant}` : '';
    return html`<p class="change ${real ? 'real' : ''}" part=${real ? 'change change-real' : 'change'}>
      ${real ? (now > before ? '▲ ' : '▼ ') : ''}${fill(s.change, { delta: format(now - before, true) })}${verdict}
    </p>`;
  }

  private _tiles(c: Summary, p: Summary) {
    const s = this.s;
    const range = (i: Interval | null, f: (v: number) => string) => (i ? fill(s.interval, { low: f(i.low), high: f(i.high) }) : null);
    const pct = (v: number, signed = false) => this._pct(v, signed);
    const avg = (v: number, signed = false) => this._avg(v, signed);
    const count = (v: number, signed: boolean) => this._number({ signDisplay: signed ? 'exceptZero' : 'auto' }).format(v);
    return html`<ul class="tiles" part="tiles">
      ${this._tile(s.tileCsat, this._pct(c.satisfiedShare), range(c.satisfiedInterval, pct), this._change(c.satisfiedShare, p.satisfiedShare, c.satisfiedInterval, p.satisfiedInterval, pct))}
      ${this._tile(s.tileAverage, this._avg(c.average), range(c.averageInterval, avg), this._change(c.average, p.average, c.averageInterval, p.averageInterval, avg))}
      ${this._tile(s.tileResponse, this._pct(c.responseRate), range(c.responseInterval, pct), this._change(c.responseRate, p.responseRate, c.responseInterval, p.responseInterval, pct))}
      ${this._tile(s.tileCount, formatNumber(this._lang, c.count), null, p.count ? this._change(c.count, p.count, null, null, count) : html`<p class="change">${s.noPrevious}</p>`)}
    </ul>`;
  }

  private _distribution(c: Summary) {
    const s = this.s;
    const rows = [...(c.distribution ?? [])].reverse();
    return html`<section part="distribution" aria-labelledby="dist-h">
      <h3 id="dist-h">${s.distributionHeading}</h3>
      <ul class="bars">
        ${rows.map((b) => {
          const label = fill(s.distributionRow, { rating: formatNumber(this._lang, b.rating), count: formatNumber(this._lang, b.count), share: this._pct(b.share) });
          return html`<li part="bar" aria-label=${label}>
            <span aria-hidden="true">${formatNumber(this._lang, b.rating)} ★</span>
            <span class="track" aria-hidden="true"><span class="fill" style="display:block;width:${((b.share ?? 0) * 100).toFixed(1)}%"></span></span>
            <span aria-hidden="true">${formatNumber(this._lang, b.count)} · ${this._pct(b.share)}</span>
          </li>`;
        })}
      </ul>
    </section>`;
  }

  private _trend(points: TrendPoint[]) {
    const s = this.s;
    const active = this._tipHidden ? -1 : this._point;
    const tip = active >= 0 && points[active] ? tipPosition(points, active) : null;
    return html`<figure part="chart" aria-labelledby="trend-h">
      <h3 id="trend-h">${s.trendHeading}</h3>
      <div class="chart-box" @keydown=${this._chartKey} @focusin=${this._chartFocus} @focusout=${this._chartBlur} @mouseover=${this._chartHover} @mouseleave=${() => (this._point = -1)}>
        <svg class="chart" viewBox="0 0 ${CHART.width} ${CHART.height}" role="group" aria-labelledby="trend-h" aria-describedby="band-note">
          ${trendChart(points, {
            active,
            tabStop: this._tabStop,
            percent: (v) => this._pct(v),
            tick: (p) => this._periodName(p),
            label: this._pointLabel,
          })}
        </svg>
        ${tip ? html`<div class="tooltip chart-tip" part="tooltip" aria-hidden="true" style="left:${tip.left}%;top:${tip.top}%">${this._pointLabel(points[active]!)}</div>` : nothing}
      </div>
      <p class="band-note" id="band-note">${s.trendBand}</p>
      <div class="sr-only" part="table"><table>
        <caption>${s.tableCaption}</caption>
        <thead>
          <tr><th scope="col">${s.colPeriod}</th><th scope="col">${s.colCsat}</th><th scope="col">${s.colInterval}</th><th scope="col">${s.colAverage}</th><th scope="col">${s.colCount}</th></tr>
        </thead>
        <tbody>
          ${points.map(
            (p) => html`<tr>
              <th scope="row">${this._periodName(p)}</th>
              <td>${this._pct(p.satisfiedShare)}</td>
              <td>${p.satisfiedInterval ? `${this._pct(p.satisfiedInterval.low)}–${this._pct(p.satisfiedInterval.high)}` : s.none}</td>
              <td>${this._avg(p.average)}</td>
              <td>${formatNumber(this._lang, p.count)}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>
    </figure>`;
  }

  private _pointIndex(e: Event): number {
    const t = e.target as Element | null;
    const i = t?.getAttribute?.('data-i');
    return i === null || i === undefined ? -1 : Number(i);
  }

  private _chartFocus = (e: FocusEvent) => {
    const i = this._pointIndex(e);
    if (i >= 0) {
      this._point = i;
      this._tabStop = i;
      this._tipHidden = false;
    }
  };

  private _chartBlur = (e: FocusEvent) => {
    if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) this._point = -1;
  };

  private _chartHover = (e: MouseEvent) => {
    const i = this._pointIndex(e);
    if (i >= 0) {
      this._point = i;
      this._tipHidden = false;
    }
  };

  /** Arrows move between the points (one tab stop for the chart), Home/End jump, Escape hides the tooltip. */
  private _chartKey = (e: KeyboardEvent) => {
    const n = this._data?.trend.length ?? 0;
    const i = this._pointIndex(e);
    if (i < 0 || !n) return;
    let next = i;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = Math.min(n - 1, i + 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = Math.max(0, i - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = n - 1;
    else if (e.key === 'Escape') {
      this._tipHidden = true;
      return;
    } else return;
    e.preventDefault();
    this._tabStop = next;
    void this.updateComplete.then(() => this.renderRoot.querySelector<SVGElement>(`circle[data-i="${next}"]`)?.focus());
  };

  private _ranking(rows: AgentRow[]) {
    const s = this.s;
    const min = this.minRatings;
    const ranked = rows.filter((r) => r.count >= min);
    const few = rows.filter((r) => r.count < min);
    const selected = new Set(this.assigneeIds ?? []);
    const row = (r: AgentRow, rank: number | null) => {
      const name = this._agentName(r.assigneeId);
      const score =
        rank === null
          ? html`<span class="few">${fill(s.notEnough, { count: formatNumber(this._lang, r.count), min: formatNumber(this._lang, min) })}</span>`
          : html`<span>${this._pct(r.satisfiedShare)}</span><br /><span class="hint">${r.satisfiedInterval ? fill(s.interval, { low: this._pct(r.satisfiedInterval.low), high: this._pct(r.satisfiedInterval.high) }) : ''}
                · ${fill(s.ratingsCount, { count: formatNumber(this._lang, r.count) })}</span>`;
      return html`<li part="agent" aria-current=${r.assigneeId && selected.has(r.assigneeId) ? 'true' : 'false'}>
        <span class="rank">${rank === null ? '' : fill(s.rank, { rank: formatNumber(this._lang, rank) })}</span>
        ${r.assigneeId
          ? html`<button type="button" part="agent-button" aria-label=${fill(s.showOnly, { agent: name })} aria-pressed=${selected.has(r.assigneeId) ? 'true' : 'false'} @click=${() => this._pickAgent(r.assigneeId)}>
              ${name}
            </button>`
          : html`<span>${name}</span>`}
        <span class="score">${score}</span>
      </li>`;
    };
    return html`<section part="ranking" aria-labelledby="rank-h">
      <h3 id="rank-h">${s.rankingHeading}</h3>
      <p class="hint">${s.rankingHint}</p>
      <ol class="ranking">
        ${ranked.map((r, i) => row(r, i + 1))} ${few.map((r) => row(r, null))}
      </ol>
    </section>`;
  }

  private _unhappy(d: InsightsData) {
    const s = this.s;
    const href = (id: string) => (this.ticketHref ? this.ticketHref.replace(/\{id\}/g, encodeURIComponent(id)) : null);
    return html`<section part="unhappy" aria-labelledby="unhappy-h">
      <h3 id="unhappy-h">${s.unhappyHeading}</h3>
      ${d.unhappy.length
        ? html`<ul class="unhappy">
            ${d.unhappy.map((r) => {
              const link = href(r.ticket.id);
              return html`<li>
                ${staticStars(r.rating, fill(s.stars, { rating: formatNumber(this._lang, r.rating), max: formatNumber(this._lang, MAX) }))}
                <p class="comment" part="comment">${r.comment}</p>
                <p class="meta">
                  ${this._date(Date.parse(r.ratedAt))} · ${this._agentName(r.assigneeId)}
                  ${link ? html` · <a part="ticket-link" href=${link}>${s.openTicket}</a>` : nothing}
                </p>
              </li>`;
            })}
          </ul>`
        : html`<p class="hint">${s.unhappyEmpty}</p>`}
    </section>`;
  }

  private _themes(d: InsightsData) {
    return themesSection(d.themes, {
      s: { ...THEMES_TEXTS[languageOf(this._lang)], ...(this.strings as object) },
      href: (id) => (this.ticketHref ? this.ticketHref.replace(/\{id\}/g, encodeURIComponent(id)) : null),
      count: (n) => formatNumber(this._lang, n),
      score: (z) => this._number({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(z),
    });
  }
}
