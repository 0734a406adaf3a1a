// Disputes (arbitrators, admins): the queue of open disputes by status (GET /disputes?status=,
// soonest due first, a cursor per page) and one dispute (GET /disputes/{id}): what is contested,
// each part of the evidence with its media, the decisions, the payment platform's case, and the
// evidence pack (GET /disputes/{id}/evidence-pack, a ZIP) downloaded with the caller's token, and
// the arbitrator's actions (dispute_actions.js).
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { download, get, query } from "./api.js";
import { dateTime, label, money, t } from "./i18n.js";
import { Failure, ListEnd, Tabs, useLoad, usePagedRows } from "./widgets.js";
import { DisputeActions } from "./dispute_actions.js";

// Every status but closed: the disputes still open.
export const OPEN_STATUSES = ["raised", "under_review", "awaiting_evidence", "appealed", "decided"];
const PAGE = 50;
const href = (id) => `#/disputes/${encodeURIComponent(id)}`;

function Queue() {
  const [status, setStatus] = useState("raised");
  const list = usePagedRows((after) => get(`/disputes${query({ status, limit: PAGE, cursor: after })}`), [status]);
  const col = (name) => t(`workbench.disputes.col.${name}`);
  return html`<section>
    <h1>${t("workbench.disputes.title")}</h1>
    <${Tabs} name="status" values=${OPEN_STATUSES} current=${status} onSelect=${setStatus}
      labelOf=${(s) => label("pack.dispute_status", s)} />
    <${Failure} error=${list.error} />
    <table class="rows" data-test="disputes">
      <thead><tr><th>${col("dispute")}</th><th>${t("workbench.col.ticket")}</th><th>${col("subject")}</th>
        <th>${col("source")}</th><th>${col("raised")}</th><th>${col("due")}</th>
        <th>${t("workbench.col.assignee")}</th></tr></thead>
      <tbody>${list.rows.map((d) => html`<tr data-dispute=${d.id}>
        <td data-label=${col("dispute")}><a href=${href(d.id)}>${d.id}</a></td>
        <td data-label=${t("workbench.col.ticket")}><a href=${`#/tickets/${encodeURIComponent(d.ticket_id)}`}>${d.ticket_id}</a></td>
        <td data-label=${col("subject")}>${label("pack.subject", d.subject)}</td>
        <td data-label=${col("source")}>${label("workbench.disputes.source", d.source)}</td>
        <td data-label=${col("raised")}>${dateTime(d.raised_at)}</td>
        <td data-label=${col("due")}>${d.due_at ? dateTime(d.due_at) : "—"}</td>
        <td data-label=${t("workbench.col.assignee")}>${d.assignee_id || "—"}</td>
      </tr>`)}</tbody>
    </table>
    <${ListEnd} list=${list} empty=${t("workbench.disputes.empty")} />
  </section>`;
}

function PackButton({ dispute }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const fetchPack = async () => {
    setBusy(true);
    try {
      await download(`/disputes/${encodeURIComponent(dispute.id)}/evidence-pack`, `evidence-${dispute.id}.zip`);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<p><button data-test="evidence-pack" disabled=${busy} onClick=${fetchPack}>
    ${t("workbench.disputes.pack")}</button></p><${Failure} error=${error} />`;
}

function Dispute({ id, session }) {
  const { data: d, error, reload } = useLoad(() => get(`/disputes/${encodeURIComponent(id)}`), [id]);
  if (error) return html`<${Failure} error=${error} />`;
  if (!d) return html`<p class="muted">…</p>`; // a reload keeps the dispute shown (and the actions' errors)
  const p = d.platform;
  return html`<article data-dispute=${d.id}>
    <p><a href="#/disputes">${t("workbench.disputes.back")}</a></p>
    <h1>${d.id} <small data-test="dispute-status">${label("pack.dispute_status", d.status)}</small></h1>
    <section class="card facts">
      <span>${t("workbench.col.ticket")}: <a href=${`#/tickets/${encodeURIComponent(d.ticket_id)}`}>${d.ticket_id}</a></span>
      <span>${t("workbench.disputes.col.subject")}: ${label("pack.subject", d.subject)}</span>
      <span>${t("workbench.disputes.col.source")}: ${label("workbench.disputes.source", d.source)}</span>
      <span>${t("workbench.disputes.col.raised")}: ${dateTime(d.raised_at)}</span>
      ${d.due_at && html`<span>${t("workbench.disputes.col.due")}: ${dateTime(d.due_at)}</span>`}
      <span data-test="assignee">${t("workbench.col.assignee")}: ${d.assignee_id || "—"}</span>
    </section>
    ${d.text && html`<blockquote data-test="claim">${d.text}</blockquote>`}
    <${DisputeActions} dispute=${d} session=${session} onChanged=${reload} />
    <section class="card" data-part="evidence"><h2>${t("workbench.disputes.evidence")}</h2>
      ${d.evidence.length ? html`<ol class="evidence">${d.evidence.map((e) => html`<li data-test="evidence-part">
        <small>${dateTime(e.at)} · ${e.by} (${label("role", e.role)})</small>
        ${e.text && html`<p>${e.text}</p>`}
        ${e.media_ids.length > 0 && html`<p>${t("workbench.disputes.media", { count: e.media_ids.length })}:
          ${e.media_ids.map((m) => html` <code>${m}</code>`)}</p>`}</li>`)}</ol>`
        : html`<p class="muted">${t("workbench.disputes.no_evidence")}</p>`}
      <${PackButton} dispute=${d} /></section>
    <section class="card" data-part="decisions"><h2>${t("workbench.disputes.decisions")}</h2>
      ${d.decisions.length ? html`<ul>${d.decisions.map((x) => html`<li>${label("pack.outcome", x.outcome)} ·
        ${dateTime(x.at)}${x.by ? ` · ${x.by}` : ""}<q data-test="decided-reason">${x.reason}</q></li>`)}</ul>`
        : html`<p class="muted">${t("workbench.disputes.no_decision")}</p>`}</section>
    ${p && html`<section class="card" data-part="platform"><h2>${t("workbench.disputes.platform")}</h2>
      <p>${p.provider} · <code>${p.case_id}</code> · ${p.status} · ${money(p.amount)}${p.reason ? ` · ${p.reason}` : ""}
        ${p.evidence_due_by && html` · ${dateTime(p.evidence_due_by)}`}
        ${p.submitted && html` <span class="pill ok" data-test="platform-submitted">${t("workbench.disputes.platform_submitted")}</span>`}</p></section>`}
  </article>`;
}

export function Disputes({ id, session }) {
  return id ? html`<${Dispute} id=${id} session=${session} />` : html`<${Queue} />`;
}
