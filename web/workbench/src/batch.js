// Batch actions on the queue's selected tickets, each with its own result: assign and transition
// (POST /tickets/batch), approve (POST /approvals/decisions). The API applies every rule per ticket
// (roles, dual review, the same person twice, finance's approvals), so one refused ticket does not
// stop the others and its row says why, in the API's words.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { post } from "./api.js";
import { label, labelsOf, t } from "./i18n.js";
import { hasRole } from "./session.js";
import { Failure } from "./widgets.js";

// The roles a review may list as approvers (the API decides per ticket whether this one may).
const REVIEWERS = ["agent", "supervisor", "finance", "admin"];

export function BatchBar({ session, selected, onDone }) {
  const [assignee, setAssignee] = useState("");
  const [target, setTarget] = useState("");
  const [comment, setComment] = useState("");
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const ids = [...selected];
  const run = async (path, body) => {
    setBusy(true);
    try {
      const answer = await post(path, { ...body, ticket_ids: ids });
      // a review's status (approvals) or the ticket's new status (assign, transition)
      setResults({ ...answer, review: path === "/approvals/decisions" });
      setError(null);
      onDone(answer);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card batch" data-test="batch">
    <p><b>${t("workbench.batch.selected", { count: ids.length })}</b></p>
    <div class="moves">
      <label>${t("workbench.filter.assignee")}
        <input data-batch="assignee" value=${assignee} onInput=${(e) => setAssignee(e.target.value)} /></label>
      <button data-batch-action="assign" disabled=${busy || !ids.length || !assignee.trim()}
        onClick=${() => run("/tickets/batch", { action: "assign", assignee_id: assignee.trim() })}>
        ${t("workbench.batch.assign")}</button>
      <label>${t("workbench.batch.to")}
        <select data-batch="to" value=${target} onChange=${(e) => setTarget(e.target.value)}>
          <option value=""></option>
          ${labelsOf("status").map(([value, text]) => html`<option value=${value}>${text}</option>`)}
        </select></label>
      <button data-batch-action="transition" disabled=${busy || !ids.length || !target}
        onClick=${() => run("/tickets/batch", { action: "transition", to: target })}>${t("workbench.batch.move")}</button>
      ${hasRole(session, ...REVIEWERS) && html`<label>${t("workbench.review.comment")}
          <input data-batch="comment" value=${comment} onInput=${(e) => setComment(e.target.value)} /></label>
        <button data-batch-action="approve" disabled=${busy || !ids.length}
          onClick=${() => run("/approvals/decisions", { verdict: "approve", comment: comment || undefined })}>
          ${t("workbench.batch.approve")}</button>`}
    </div>
    <${Failure} error=${error} />
    ${results && html`<div data-test="batch-results">
      <p>${t("workbench.batch.outcome", { succeeded: results.succeeded, failed: results.failed })}</p>
      <ul>${results.results.map((r) => html`<li data-result=${r.ticket_id} data-ok=${String(r.ok)}>
        <code>${r.ticket_id}</code> · ${r.ok
          ? html`<span class="pill ok">${results.review ? t(`workbench.review.${r.status}`) : label("status", r.status)}</span>`
          : html`<span class="pill bad">${r.error?.message || r.error?.code}</span>`}</li>`)}</ul></div>`}
  </section>`;
}
