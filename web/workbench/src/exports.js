// Monthly exports (supervisors, admins): POST /exports starts a month's export of tickets, lines,
// refunds and SLA outcomes as CSV or XLSX; GET /exports/{id} is polled every second for its
// percent done, then names a short-lived download link per file. The tenant's earlier exports are
// listed below, newest first (GET /exports, 20 a page with "load more"), with their links.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { get, post, query } from "./api.js";
import { dateTime, t } from "./i18n.js";
import { Failure } from "./widgets.js";

const FINISHED = ["done", "failed"];

function lastMonth() {
  const now = new Date();
  const first = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${first.getFullYear()}-${String(first.getMonth() + 1).padStart(2, "0")}`;
}

function ExportJob({ id }) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    let timer = null;
    const poll = async () => {
      try {
        const seen = await get(`/exports/${encodeURIComponent(id)}`);
        if (!live) return;
        setJob(seen);
        setError(null);
        if (!FINISHED.includes(seen.status)) timer = setTimeout(poll, 1000);
      } catch (err) {
        if (live) setError(err);
      }
    };
    poll();
    return () => { live = false; clearTimeout(timer); };
  }, [id]);
  if (error) return html`<li><${Failure} error=${error} /></li>`;
  if (!job) return html`<li class="muted">…</li>`;
  return html`<${JobCard} job=${job} />`;
}

function JobCard({ job }) {
  return html`<li class="card" data-export=${job.export_id} data-status=${job.status}>
    <p><b>${job.month}</b> · ${job.format.toUpperCase()} · <span data-test="export-status">${t(`workbench.exports.status.${job.status}`)}</span>
      · ${dateTime(job.created_at)}</p>
    <p><progress max="100" value=${job.percent} aria-label=${t("workbench.exports.progress")}></progress>
      <span data-test="percent">${t("workbench.exports.percent", { percent: job.percent })}</span>
      ${job.tickets_read != null && ` · ${t("workbench.exports.tickets", { count: job.tickets_read })}`}</p>
    ${job.error && html`<p class="error">${typeof job.error === "string" ? job.error : JSON.stringify(job.error)}</p>`}
    ${job.downloads && html`<ul>${Object.entries(job.downloads).map(([part, url]) => html`<li>
      <a href=${url} data-download=${part} rel="noopener noreferrer">${t("workbench.exports.download", { part })}</a></li>`)}</ul>
      <p class="muted">${t("workbench.exports.expires", { minutes: Math.round((job.expires_in || 0) / 60) })}</p>`}
  </li>`;
}

// The tenant's earlier exports: a finished one as listed (its links presigned by the list), one
// still running polled like a job started here.
function Earlier() {
  const [rows, setRows] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const load = async (after) => {
    setLoading(true);
    try {
      const page = await get(`/exports${query({ limit: 20, cursor: after })}`);
      setRows((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => { load(null); }, []);
  return html`<section data-test="earlier-exports"><h2>${t("workbench.exports.earlier")}</h2>
    <${Failure} error=${error} />
    <ul class="exports">${rows.map((job) => (FINISHED.includes(job.status)
      ? html`<${JobCard} key=${job.export_id} job=${job} />` : html`<${ExportJob} key=${job.export_id} id=${job.export_id} />`))}</ul>
    ${!loading && !rows.length && !error && html`<p class="muted" data-test="empty">${t("workbench.exports.none")}</p>`}
    ${cursor && html`<button onClick=${() => load(cursor)} disabled=${loading}>${t("workbench.queue.more")}</button>`}
  </section>`;
}

export function Exports() {
  const [month, setMonth] = useState(lastMonth());
  const [format, setFormat] = useState("csv");
  const [jobs, setJobs] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const start = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const job = await post("/exports", { month, format });
      setJobs([job.export_id, ...jobs]);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section>
    <h1>${t("workbench.exports.title")}</h1>
    <form class="filters" onSubmit=${start}>
      <label>${t("workbench.exports.month")}
        <input type="month" data-test="export-month" required value=${month} onInput=${(e) => setMonth(e.target.value)} /></label>
      <label>${t("workbench.exports.format")}
        <select data-test="export-format" value=${format} onChange=${(e) => setFormat(e.target.value)}>
          <option value="csv">CSV</option><option value="xlsx">XLSX</option></select></label>
      <button type="submit" data-test="export-start" disabled=${busy}>${t("workbench.exports.start")}</button>
    </form>
    <${Failure} error=${error} />
    <ul class="exports" data-test="started-exports">${jobs.map((id) => html`<${ExportJob} key=${id} id=${id} />`)}</ul>
    <${Earlier} />
  </section>`;
}
