// Charts: ECharts' tree-shakeable core with only the chart types and components the screens use,
// drawn on canvas (the page's Content-Security-Policy allows no inline style attributes, which the
// SVG renderer writes). Every chart has its numbers one click away: a table of the same rows.
import { useEffect, useRef, useState } from "preact/hooks";
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { html } from "./html.js";
import { locale, t } from "./i18n.js";

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// The page's own font stack (Noto CJK on Debian), so Chinese labels render as the rest of the page.
const pageFont = () => getComputedStyle(document.body).fontFamily;

function Canvas({ option }) {
  const box = useRef(null);
  useEffect(() => {
    const chart = echarts.init(box.current, null, { renderer: "canvas", locale: locale() === "zh-Hans" ? "ZH" : "EN" });
    chart.setOption({ textStyle: { fontFamily: pageFont() }, animation: false, ...option });
    const resize = () => chart.resize();
    addEventListener("resize", resize);
    return () => {
      removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [JSON.stringify(option)]);
  return html`<div class="chart-canvas" ref=${box} role="img" aria-label=${option.ariaLabel || ""}></div>`;
}

// columns: [{ key, label }]; rows: objects keyed by the columns' keys (already formatted).
export function NumbersTable({ columns, rows }) {
  return html`<table class="rows" data-test="numbers"><thead><tr>${columns.map((c) => html`<th>${c.label}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td data-label=${c.label} data-col=${c.key}>${r[c.key]}</td>`)}</tr>`)}</tbody></table>`;
}

// A chart card: its title, the chart (or an empty note when there are no rows) and the table toggle.
export function ChartCard({ name, title, option, columns, rows, children }) {
  const [table, setTable] = useState(false);
  return html`<section class="card chart" data-chart=${name}>
    <h2>${title}</h2>
    ${children}
    ${!rows.length ? html`<p class="muted" data-test="no-data">${t("workbench.chart.no_data")}</p>` : html`
      <button class="link" data-test="toggle-numbers" aria-pressed=${String(table)} onClick=${() => setTable(!table)}>
        ${table ? t("workbench.chart.show_chart") : t("workbench.chart.show_numbers")}</button>
      ${table ? html`<${NumbersTable} columns=${columns} rows=${rows} />` : html`<${Canvas} option=${{ ariaLabel: title, ...option }} />`}`}
  </section>`;
}

// Bars of one or more series over categories (horizontal when `horizontal`).
export function barOption({ categories, series, horizontal = false, stacked = false, percent = false }) {
  const category = { type: "category", data: categories, axisLabel: { interval: 0, hideOverlap: true } };
  const value = { type: "value", minInterval: 1, ...(percent ? { max: 100, axisLabel: { formatter: "{value}%" } } : {}) };
  return {
    tooltip: { trigger: "axis" },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : value,
    series: series.map((s) => ({ type: "bar", name: s.name, data: s.data, stack: stacked ? "all" : undefined })),
  };
}

export function lineOption({ categories, series }) {
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: categories },
    yAxis: { type: "value" },
    series: series.map((s) => ({ type: "line", name: s.name, data: s.data, connectNulls: true })),
  };
}

export function pieOption({ items }) {
  return {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], data: items, label: { formatter: "{b}: {c}" } }],
  };
}
