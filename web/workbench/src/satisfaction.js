// NPS / CSAT: the satisfaction figures (GET /satisfaction/figures) of one dimension's values in a
// UTC month or day the surveys were sent in, as bars with their table; and the tenant's NPS and
// CSAT over the six months up to the chosen one (one read per month, dimension "all").
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { t } from "./i18n.js";
import { barOption, lineOption } from "./chart.js";
import { FigureChart } from "./dashboard.js";
import { satisfaction } from "./figures.js";

const DIMENSIONS = ["all", "channel", "product", "agent", "team", "ticket_type"];

function monthsUpTo(month, n) {
  const [y, m] = month.split("-").map(Number);
  return Array.from({ length: n }, (_, i) => new Date(Date.UTC(y, m - 1 - (n - 1 - i), 1)).toISOString().slice(0, 7));
}

async function trend(month) {
  const months = monthsUpTo(month, 6);
  const rows = await Promise.all(months.map((p) => satisfaction({ dimension: "all", period: p })));
  const all = rows.map((r) => r.raw.find((x) => x.value === "all") || {});
  return {
    option: { categories: months, series: [
      { name: t("workbench.figures.nps"), data: all.map((r) => r.nps ?? null) },
      { name: t("workbench.figures.csat"), data: all.map((r) => r.csat ?? null) }] },
    columns: [{ key: "month", label: t("workbench.figures.month") }, ...rows[0].columns.slice(1)],
    rows: months.flatMap((p, i) => rows[i].rows.map((r) => ({ ...r, month: p }))),
  };
}

export function Satisfaction() {
  const [dimension, setDimension] = useState("channel");
  const [kind, setKind] = useState("month");
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const [day, setDay] = useState(new Date().toISOString().slice(0, 10));
  const period = kind === "month" ? month : day;
  return html`<section data-screen="satisfaction">
    <h1>${t("workbench.satisfaction.title")}</h1>
    <div class="filters">
      <label>${t("workbench.satisfaction.dimension")}<select data-test="dimension" value=${dimension}
        onChange=${(e) => setDimension(e.target.value)}>
        ${DIMENSIONS.map((d) => html`<option value=${d}>${t(`workbench.satisfaction.dimension.${d}`)}</option>`)}</select></label>
      <label>${t("workbench.satisfaction.period")}<select data-test="period-kind" value=${kind}
        onChange=${(e) => setKind(e.target.value)}>
        <option value="month">${t("workbench.figures.month")}</option>
        <option value="day">${t("workbench.figures.day")}</option></select></label>
      ${kind === "month"
        ? html`<label>${t("workbench.figures.month")}<input type="month" data-test="month" value=${month}
            onChange=${(e) => e.target.value && setMonth(e.target.value)} /></label>`
        : html`<label>${t("workbench.figures.day")}<input type="date" data-test="day" value=${day}
            onChange=${(e) => e.target.value && setDay(e.target.value)} /></label>`}
      <p class="muted">${t("workbench.satisfaction.utc")}</p>
    </div>
    <div class="charts">
      <${FigureChart} name="satisfaction-by" title=${t("workbench.satisfaction.by", { dimension: t(`workbench.satisfaction.dimension.${dimension}`), period })}
        load=${() => satisfaction({ dimension, period })} deps=${[dimension, period]} make=${barOption} />
      <${FigureChart} name="satisfaction-trend" title=${t("workbench.satisfaction.trend")}
        load=${() => trend(month)} deps=${[month]} make=${lineOption} />
    </div>
  </section>`;
}
