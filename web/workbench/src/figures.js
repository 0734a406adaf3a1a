// The figures the API computes, shaped for charts and their tables: SLA daily timeouts, the
// responsible-person ranking, SLA compliance, satisfaction (NPS / CSAT) and a product's
// negative-cause clusters. The SLA figures' days are the tenant's local days: each answer names their
// zone (`zone`), which the dashboard shows.
import { get, query } from "./api.js";
import { label, money, t } from "./i18n.js";

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

// YYYY-MM-DD of a moment in a zone ("en-CA" formats dates that way).
export const dayIn = (when, zone) => new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(when);

export function daysBetween(first, last) {
  const days = [];
  for (let d = new Date(`${first}T00:00:00Z`); d <= new Date(`${last}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

export const metricLabel = (metric) => label("workbench.metric", metric);
// rate: a fraction (0..1); pct: already a percentage (the satisfaction figures)
const pct = (value) => (value == null ? "—" : `${value}%`);
const percent = (rate) => (rate == null ? "—" : `${Math.round(rate * 1000) / 10}%`);

function hours(seconds) {
  if (seconds == null) return "—";
  return t("workbench.figures.hours", { hours: (seconds / 3600).toFixed(1) });
}

export async function dailyTimeouts({ first, last }) {
  const { items, zone } = await get(`/sla/figures/daily-timeouts${query({ from: first, to: last })}`);
  const days = daysBetween(first, last);
  const metrics = [...new Set(items.map((r) => r.metric))].sort();
  const count = (day, metric) => items.find((r) => r.day === day && r.metric === metric)?.breaches || 0;
  return {
    zone,
    option: { categories: days, stacked: true,
      series: metrics.map((m) => ({ name: metricLabel(m), data: days.map((d) => count(d, m)) })) },
    columns: [{ key: "day", label: t("workbench.figures.day") }, { key: "metric", label: t("workbench.figures.metric") },
      { key: "breaches", label: t("workbench.figures.breaches") }],
    rows: items.map((r) => ({ day: r.day, metric: metricLabel(r.metric), breaches: r.breaches })),
  };
}

export async function ranking({ first, last, by }) {
  const { items, zone } = await get(`/sla/figures/ranking${query({ from: first, to: last, by })}`);
  return {
    zone,
    option: { categories: items.map((r) => r.responsible_id), horizontal: true,
      series: [{ name: t("workbench.figures.breaches"), data: items.map((r) => r.breaches) }] },
    columns: [{ key: "who", label: t(`workbench.figures.by.${by}`) }, { key: "breaches", label: t("workbench.figures.breaches") },
      { key: "completed", label: t("workbench.figures.completed") },
      { key: "handling", label: t("workbench.figures.mean_handling") }],
    rows: items.map((r) => ({ who: r.responsible_id, breaches: r.breaches, completed: r.completed,
      handling: hours(r.mean_handling_seconds) })),
  };
}

export async function compliance({ first, last }) {
  const { items, zone } = await get(`/sla/figures/compliance${query({ from: first, to: last })}`);
  const group = (r) => `${label("type", r.ticket_type)} · ${r.customer_tier} · ${label("channel", r.channel)}`;
  const groups = [...new Set(items.map(group))];
  const metrics = [...new Set(items.map((r) => r.metric))].sort();
  const rate = (g, m) => {
    const row = items.find((r) => group(r) === g && r.metric === m);
    return row ? Math.round(row.compliance_rate * 1000) / 10 : null;
  };
  return {
    zone,
    option: { categories: groups, horizontal: true, percent: true,
      series: metrics.map((m) => ({ name: metricLabel(m), data: groups.map((g) => rate(g, m)) })) },
    columns: [{ key: "type", label: t("workbench.filter.type") }, { key: "tier", label: t("workbench.figures.tier") },
      { key: "channel", label: t("workbench.filter.channel") }, { key: "metric", label: t("workbench.figures.metric") },
      { key: "met", label: t("workbench.figures.met") }, { key: "breached", label: t("workbench.figures.breaches") },
      { key: "rate", label: t("workbench.figures.compliance_rate") }],
    rows: items.map((r) => ({ type: label("type", r.ticket_type), tier: r.customer_tier, channel: label("channel", r.channel),
      metric: metricLabel(r.metric), met: r.met, breached: r.breached, rate: percent(r.compliance_rate) })),
  };
}

// NPS (-100..100) and CSAT (share satisfied, %) of one dimension's values in a month or a day.
export async function satisfaction({ dimension, period }) {
  const { rows } = await get(`/satisfaction/figures${query({ dimension, period })}`);
  const value = (r) => (dimension === "channel" ? label("channel", r.value)
    : dimension === "ticket_type" ? label("type", r.value) : r.value);
  return {
    raw: rows,
    option: { categories: rows.map(value),
      series: [{ name: t("workbench.figures.nps"), data: rows.map((r) => r.nps) },
        { name: t("workbench.figures.csat"), data: rows.map((r) => r.csat) }] },
    columns: [{ key: "value", label: t(`workbench.satisfaction.dimension.${dimension}`) },
      { key: "sent", label: t("workbench.figures.sent") }, { key: "answered", label: t("workbench.figures.answered") },
      { key: "nps", label: t("workbench.figures.nps") }, { key: "csat", label: t("workbench.figures.csat") },
      { key: "csat_average", label: t("workbench.figures.csat_average") },
      { key: "response_rate", label: t("workbench.figures.response_rate") }],
    rows: rows.map((r) => ({ value: value(r), sent: r.sent, answered: r.answered, nps: r.nps ?? "—",
      csat: pct(r.csat), csat_average: r.csat_average ?? "—", response_rate: pct(r.response_rate) })),
  };
}

export async function productInsights({ sku, period }) {
  const found = await get(`/insights/products/${encodeURIComponent(sku)}${query({ period })}`);
  return {
    period: found.period.id,
    option: { items: found.clusters.map((c) => ({ name: c.label, value: c.reviews + c.returns })) },
    columns: [{ key: "cause", label: t("workbench.figures.cause") }, { key: "reviews", label: t("workbench.figures.reviews") },
      { key: "returns", label: t("workbench.figures.returns") }, { key: "share", label: t("workbench.figures.share") },
      { key: "trend", label: t("workbench.figures.trend") }],
    rows: found.clusters.map((c) => ({ cause: c.label, reviews: c.reviews, returns: c.returns, share: percent(c.share),
      trend: `${t(`workbench.trend.${c.trend.direction}`)} (${c.trend.delta >= 0 ? "+" : ""}${c.trend.delta})` })),
  };
}

// ---------------------------------------------------------------- the analytics projections
// (GET /analytics/...: per-tenant buckets of local days and months, kept by the projector)

export async function returnReasons({ first, last }) {
  const { items } = await get(`/analytics/return-reasons${query({ from: first, to: last, grain: "day" })}`);
  return {
    // the catalog's label of each reason code (a code the catalogs do not know shows as it is)
    option: { items: items.map((r) => ({ name: label("workbench.return_reason", r.reason), value: r.count })) },
    columns: [{ key: "reason", label: t("workbench.figures.reason") }, { key: "count", label: t("workbench.figures.count") },
      { key: "share", label: t("workbench.figures.share_of_returns") }],
    rows: items.map((r) => ({ reason: label("workbench.return_reason", r.reason), count: r.count,
      share: percent(r.share) })),
  };
}

const monthOf = (day) => day.slice(0, 7);

export async function typeShare({ first, last }) {
  const { items } = await get(`/analytics/ticket-types${query({ from: monthOf(first), to: monthOf(last) })}`);
  const months = items.map((m) => m.month);
  const types = [...new Set(items.flatMap((m) => Object.keys(m.types)))].sort();
  return {
    option: { categories: months, stacked: true,
      series: types.map((ty) => ({ name: label("type", ty), data: items.map((m) => m.types[ty]?.count || 0) })) },
    columns: [{ key: "month", label: t("workbench.figures.month") }, { key: "type", label: t("workbench.filter.type") },
      { key: "count", label: t("workbench.figures.count") }, { key: "share", label: t("workbench.figures.share_of_month") }],
    rows: items.flatMap((m) => Object.entries(m.types).map(([ty, v]) => ({ month: m.month, type: label("type", ty),
      count: v.count, share: percent(v.share) }))),
  };
}

const summaryOf = ({ first, last }) => get(`/analytics/summary${query({ from: first, to: last, grain: "day" })}`);

// Refund amounts per ticket type (minor units per currency; one series per currency, in major units).
export async function refundAmounts(range) {
  const found = await summaryOf(range);
  const byType = found.refund_amounts.type || {};
  const types = Object.keys(byType).sort();
  const currencies = [...new Set(types.flatMap((ty) => Object.keys(byType[ty])))].sort();
  const major = (minor, currency) => {
    const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
    return minor / 10 ** digits;
  };
  return {
    option: { categories: types.map((ty) => label("type", ty)),
      series: currencies.map((c) => ({ name: c, data: types.map((ty) => major(byType[ty][c] || 0, c)) })) },
    columns: [{ key: "type", label: t("workbench.filter.type") }, { key: "amount", label: t("workbench.col.amount") }],
    rows: types.flatMap((ty) => Object.entries(byType[ty]).map(([currency, amount]) => ({
      type: label("type", ty), amount: money({ amount, currency }) }))),
  };
}

// Time from opening to the first resolution: the percentiles of the range's merged sketch.
export async function processingTimes(range) {
  const found = await summaryOf(range);
  const shown = Object.entries(found.processing_seconds || {}).filter(([k, v]) => /^p\d+$/.test(k) && v != null);
  return {
    option: { categories: shown.map(([k]) => k),
      series: [{ name: t("workbench.figures.hours_axis"), data: shown.map(([, v]) => Math.round(v / 36) / 100) }] },
    columns: [{ key: "percentile", label: t("workbench.figures.percentile") }, { key: "time", label: t("workbench.figures.time") }],
    rows: shown.map(([k, v]) => ({ percentile: k, time: hours(v) })),
  };
}
