// The supervisor dashboard: SLA daily timeouts, the responsible-person ranking and SLA compliance
// over a range of the tenant's local days (the zone the SLA figures name), the analytics
// projections' return reasons, ticket types per month, refund amounts and processing-time
// percentiles, satisfaction by channel in a month, and one product's negative-cause clusters — each
// a chart with its numbers a click away. Every chart is one API read; a chart the role may not read
// (403) says so and the others still show.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError } from "./api.js";
import { t } from "./i18n.js";
import { barOption, ChartCard, pieOption } from "./chart.js";
import { compliance, dailyTimeouts, dayIn, processingTimes, productInsights, ranking, refundAmounts, returnReasons, satisfaction,
  typeShare, viewerZone } from "./figures.js";
import { Failure, useLoad } from "./widgets.js";

// A chart fed by one loader; `make` turns the loaded figures into the chart's option.
export function FigureChart({ name, title, load, deps, make, children }) {
  const { data, error, loading } = useLoad(load, deps);
  if (error) {
    const body = error instanceof ApiError && error.status === 403
      ? html`<p class="muted">${t("workbench.part.forbidden")}</p>` : html`<${Failure} error=${error} />`;
    return html`<section class="card chart" data-chart=${name}><h2>${title}</h2>${children}${body}</section>`;
  }
  if (loading && !data) return html`<section class="card chart" data-chart=${name}><h2>${title}</h2>${children}<p class="muted">…</p></section>`;
  return html`<${ChartCard} name=${name} title=${title} option=${make(data.option)} columns=${data.columns}
    rows=${data.rows}>${children}<//>`;
}

function daysBefore(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

export function Dashboard() {
  const today = dayIn(new Date(), viewerZone()); // the default range; its days are the tenant's
  const [first, setFirst] = useState(daysBefore(today, 13));
  const [last, setLast] = useState(today);
  const [by, setBy] = useState("agent");
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7)); // surveys count by UTC month
  const [sku, setSku] = useState("");
  const [skuShown, setSkuShown] = useState("");
  const [zone, setZone] = useState(null); // the tenant's zone, named by each SLA figures answer
  const range = { first, last };
  const zoned = (load) => () => load().then((found) => { setZone(found.zone); return found; });
  return html`<section data-screen="dashboard">
    <h1>${t("workbench.dashboard.title")}</h1>
    <div class="filters">
      <label>${t("workbench.figures.from")}<input type="date" data-test="from" value=${first} max=${last}
        onChange=${(e) => e.target.value && setFirst(e.target.value)} /></label>
      <label>${t("workbench.figures.to")}<input type="date" data-test="to" value=${last} min=${first}
        onChange=${(e) => e.target.value && setLast(e.target.value)} /></label>
      ${zone && html`<p class="muted" data-test="zone">${t("workbench.figures.zone", { zone })}</p>`}
    </div>
    <div class="charts">
      <${FigureChart} name="daily-timeouts" title=${t("workbench.dashboard.daily_timeouts")}
        load=${zoned(() => dailyTimeouts(range))} deps=${[first, last]} make=${barOption} />
      <${FigureChart} name="ranking" title=${t("workbench.dashboard.ranking")}
        load=${zoned(() => ranking({ ...range, by }))} deps=${[first, last, by]} make=${barOption}>
        <label class="inline">${t("workbench.figures.by")}<select data-test="ranking-by" value=${by}
          onChange=${(e) => setBy(e.target.value)}>
          <option value="agent">${t("workbench.figures.by.agent")}</option>
          <option value="team">${t("workbench.figures.by.team")}</option></select></label><//>
      <${FigureChart} name="compliance" title=${t("workbench.dashboard.compliance")}
        load=${zoned(() => compliance(range))} deps=${[first, last]} make=${barOption} />
      <${FigureChart} name="return-reasons" title=${t("workbench.dashboard.return_reasons")}
        load=${() => returnReasons(range)} deps=${[first, last]} make=${pieOption} />
      <${FigureChart} name="ticket-types" title=${t("workbench.dashboard.ticket_types")}
        load=${() => typeShare(range)} deps=${[first, last]} make=${barOption} />
      <${FigureChart} name="refund-amounts" title=${t("workbench.dashboard.refund_amounts")}
        load=${() => refundAmounts(range)} deps=${[first, last]} make=${barOption} />
      <${FigureChart} name="processing-times" title=${t("workbench.dashboard.processing_times")}
        load=${() => processingTimes(range)} deps=${[first, last]} make=${barOption} />
      <${FigureChart} name="satisfaction" title=${t("workbench.dashboard.satisfaction")}
        load=${() => satisfaction({ dimension: "channel", period: month })} deps=${[month]} make=${barOption}>
        <label class="inline">${t("workbench.figures.month")}<input type="month" data-test="month" value=${month}
          onChange=${(e) => e.target.value && setMonth(e.target.value)} /></label><//>
      <section class="card chart" data-chart="insights-form">
        <h2>${t("workbench.dashboard.causes")}</h2>
        <form class="reply" onSubmit=${(e) => { e.preventDefault(); setSkuShown(sku.trim()); }}>
          <label>SKU<input data-test="sku" value=${sku} onInput=${(e) => setSku(e.target.value)} /></label>
          <button type="submit" data-test="sku-show" disabled=${!sku.trim()}>${t("workbench.figures.show")}</button>
        </form>
        ${!skuShown && html`<p class="muted">${t("workbench.dashboard.causes_help")}</p>`}
      </section>
      ${skuShown && html`<${FigureChart} name="causes" title=${t("workbench.dashboard.causes_of", { sku: skuShown })}
        load=${() => productInsights({ sku: skuShown, period: "month" })} deps=${[skuShown]} make=${pieOption} />`}
    </div>
  </section>`;
}
