import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError } from "./api.js";
import { duration, t } from "./i18n.js";
import { slaOf } from "./sla.js";

// The current time, re-rendering every second (the SLA countdowns).
export function useNow(every = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, [every]);
  return now;
}

export function SlaBadge({ deadlines, now }) {
  if (deadlines === undefined) return html`<span class="sla muted">…</span>`;
  const sla = slaOf(deadlines, now);
  const text = sla.dueAt == null ? t(`workbench.sla.${sla.state}`)
    : `${t(`workbench.sla.${sla.state}`)} ${duration(sla.dueAt - now)}`;
  return html`<span class=${`sla sla-${sla.state}`} data-sla=${sla.state}
    title=${sla.metric || ""}>${text}</span>`;
}

// The band of the risk assessment approval routing kept on the ticket (GET /tickets: staff only);
// a ticket not routed yet has none. The score and the reason codes are in the title.
export const RISK_BANDS = ["high", "medium", "low", "none"];
export const riskBand = (ticket) => (ticket.risk ? ticket.risk.band : "none");
const RISK_CLASS = { high: "bad", medium: "warn", low: "ok", none: "muted" };

export function RiskBadge({ risk }) {
  const band = risk ? risk.band : "none";
  const title = risk ? [t("workbench.risk.score", { score: risk.score }), ...risk.flags].join(" · ") : "";
  return html`<span class=${`pill ${RISK_CLASS[band]}`} data-risk=${band} title=${title}>${t(`workbench.risk_band.${band}`)}</span>`;
}

// One part of a screen read on its own: `result` is { value } or { error }; a part the caller may
// not read (403) says so, any other error is shown, and the rest of the screen still shows.
export function Part({ title, name, result, children }) {
  let body;
  if (result.error) {
    body = result.error instanceof ApiError && result.error.status === 403
      ? html`<p class="muted">${t("workbench.part.forbidden")}</p>` : html`<${Failure} error=${result.error} />`;
  } else body = children(result.value);
  return html`<section class="card" data-part=${name}><h2>${title}</h2>${body}</section>`;
}

export function Failure({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}

// Runs an async loader and keeps its result; `reload()` runs it again.
export function useLoad(loader, deps) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loader().then((data) => live && setState({ loading: false, data, error: null }),
      (error) => live && setState({ loading: false, data: null, error }));
    return () => { live = false; };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((n) => n + 1) };
}

// A checked photo shown small, linked to its short-lived (presigned) URL: only a JPEG, PNG or WebP
// with a URL (the API gives one once the media check passed); the page's CSP allows images from
// the media bucket's origin only. Anything else is no thumbnail (its screen keeps the facts).
const IMAGES = ["image/jpeg", "image/png", "image/webp"];

export function Thumbnail({ url, contentType, alt }) {
  if (!url || !IMAGES.includes(contentType)) return null;
  return html`<a href=${url} target="_blank" rel="noopener noreferrer" class="thumb">
    <img src=${url} alt=${alt} loading="lazy" referrerpolicy="no-referrer" data-test="thumbnail" /></a>`;
}

// Tabs choosing one value of a list filter; each tab carries `data-<name>` (its value) for tests.
export function Tabs({ name, values, current, labelOf, onSelect }) {
  return html`<div class="tabs" role="tablist">${values.map((v) => html`<button role="tab" ...${{ [`data-${name}`]: v }}
    class=${v === current ? "tab active" : "tab"} aria-selected=${String(v === current)}
    onClick=${() => onSelect(v)}>${labelOf(v)}</button>`)}</div>`;
}

// The rows of a cursor-paged list read with `readPage(cursor)` (first page again whenever `deps`
// change; `more()` appends the next page). A reply to an earlier read that arrives late is dropped.
export function usePagedRows(readPage, deps) {
  const [state, setState] = useState({ rows: [], cursor: null, error: null, loading: true });
  const round = useRef(0);
  const load = async (after) => {
    const mine = ++round.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const page = await readPage(after);
      if (mine === round.current) {
        setState((s) => ({ rows: after ? [...s.rows, ...page.items] : page.items, cursor: page.next_cursor,
          error: null, loading: false }));
      }
    } catch (error) {
      if (mine === round.current) setState((s) => ({ ...s, rows: after ? s.rows : [], error, loading: false }));
    }
  };
  useEffect(() => { load(null); }, deps);
  return { ...state, more: () => load(state.cursor) };
}

// Below a paged list: "nothing here" once read and empty, or "load more" while there is a next page.
export function ListEnd({ list, empty }) {
  if (!list.loading && !list.rows.length && !list.error) return html`<p class="muted" data-test="empty">${empty}</p>`;
  return list.cursor ? html`<button onClick=${list.more} disabled=${list.loading}>${t("workbench.queue.more")}</button>` : null;
}
