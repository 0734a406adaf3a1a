// Texts from the platform's own catalogs (tools/messages.py; `make workbench` exports them as
// messages/<locale>.json), dates and money through Intl in the viewer's locale and time zone.
const SUPPORTED = ["en", "zh-Hans"];
const KEY = "workbench.locale";
let current = "en";
let texts = {};

function negotiate() {
  const saved = localStorage.getItem(KEY);
  if (SUPPORTED.includes(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language]) {
    const lower = (tag || "").toLowerCase();
    if (lower.startsWith("zh")) return "zh-Hans";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

export async function loadMessages(wanted) {
  current = SUPPORTED.includes(wanted) ? wanted : negotiate();
  const reply = await fetch(`./messages/${current}.json`);
  texts = reply.ok ? await reply.json() : {};
  document.documentElement.lang = current;
  return current;
}

export function chooseLocale(value) {
  localStorage.setItem(KEY, value);
  return loadMessages(value);
}

export const locale = () => current;
export const locales = () => SUPPORTED;

export function t(id, params = {}) {
  const text = texts[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export const label = (kind, value) => (value == null ? "" : texts[`${kind}.${value}`] ?? value);

export function dateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

// Money arrives in minor units with its ISO 4217 currency; the currency's own exponent says where
// the decimal point goes (JPY 0, CNY/USD 2).
const exponent = (currency) =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;

export function money(value) {
  if (!value || value.currency == null) return "";
  const format = new Intl.NumberFormat(current, { style: "currency", currency: value.currency });
  return format.format(value.amount / 10 ** exponent(value.currency));
}

// A non-negative amount in minor units as the plain decimal a form field holds ("125.00"), and such a
// decimal back in minor units, digit by digit (never through a float); null when it is not one.
export function decimalOf(value) {
  const digits = exponent(value.currency);
  if (!digits) return String(value.amount);
  const text = String(value.amount).padStart(digits + 1, "0");
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export function minorOf(text, currency) {
  const digits = exponent(currency);
  const match = String(text).trim().match(/^(\d+)(?:\.(\d+))?$/);
  if (!match || (match[2] || "").length > digits) return null;
  return Number(match[1] + (match[2] || "").padEnd(digits, "0"));
}

export function duration(ms) {
  const sign = ms < 0 ? "-" : "";
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n) => String(n).padStart(2, "0");
  return `${sign}${d ? `${d}d ` : ""}${pad(h)}:${pad(m)}:${pad(s)}`;
}

// Every value of a kind the catalogs label ("status", "type", "channel"), as [value, text].
export const labelsOf = (kind) =>
  Object.keys(texts).filter((k) => k.startsWith(`${kind}.`)).map((k) => [k.slice(kind.length + 1), texts[k]]);
