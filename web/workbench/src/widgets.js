import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
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
