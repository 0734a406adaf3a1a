// What an arbitrator does with a dispute: take it (or its appeal) up, ask the customer for
// evidence, decide it, close it once decided (POST /disputes/{id}/take-up, /request-evidence,
// /decision, /withdraw, each with If-Match the dispute's version), and send the evidence pack to
// the payment platform's case (POST /disputes/{id}/evidence-pack/submit: staged, or submitted to
// the bank once). The move buttons follow the dispute's `next` moves the API marks `permitted` for
// the caller; the send buttons show for the roles the route serves (arbitrators, admins) on a
// platform case whose evidence is not submitted yet. Separation of duties (a decider of the
// ticket, the first arbitrator on appeal) and whether the platform takes the evidence are the
// API's, and its refusal is shown with the action's name, in the viewer's language (the API's
// translated message); a 409/412 also reloads the dispute.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError, post } from "./api.js";
import { label, t } from "./i18n.js";
import { ARBITERS, hasRole } from "./session.js";
import { Failure } from "./widgets.js";

// The dispute's move events, and the action that takes each one.
const ACTION_OF = {
  "dispute.review_started": "take-up",
  "dispute.appeal_review_started": "take-up",
  "dispute.evidence_requested": "request-evidence",
  "dispute.decided": "decision",
  "dispute.closed": "close",
};
// The route under /disputes/{id}/ of an action not named like its route: closing is the route that
// also withdraws (before a decision); both sends are one route with `submit` in the body.
const ROUTE_OF = { close: "withdraw", "stage-evidence": "evidence-pack/submit", "submit-evidence": "evidence-pack/submit" };
const OUTCOMES = ["upheld", "dismissed"];

export function permittedActions(dispute) {
  const found = dispute.next.filter((m) => m.permitted && ACTION_OF[m.event]).map((m) => ACTION_OF[m.event]);
  return [...new Set(found)];
}

// POST /disputes/{id}/evidence-pack/submit serves arbitrators and admins, and sends a platform
// case's evidence until it is submitted.
export const maySendEvidence = (dispute, session) =>
  Boolean(dispute.platform && !dispute.platform.submitted && hasRole(session, ...ARBITERS));

export function DisputeActions({ dispute, session, onChanged }) {
  const actions = permittedActions(dispute);
  const sendable = maySendEvidence(dispute, session);
  const [errors, setErrors] = useState({});
  const [sent, setSent] = useState(null);
  const [busy, setBusy] = useState(false);
  const [askReason, setAskReason] = useState("");
  const [outcome, setOutcome] = useState("");
  const [decisionReason, setDecisionReason] = useState("");
  const [closeReason, setCloseReason] = useState("");
  if (!actions.length && !sendable && !sent && !Object.keys(errors).length) return null;
  const send = async (action, body, headers = { "If-Match": `"${dispute.version}"` }) => {
    setBusy(true);
    try {
      const answer = await post(`/disputes/${encodeURIComponent(dispute.id)}/${ROUTE_OF[action] || action}`, body,
        headers);
      setErrors({});
      setSent(answer.sent || null);
      onChanged();
    } catch (err) {
      setErrors({ [action]: err });
      setSent(null);
      if (err instanceof ApiError && (err.status === 409 || err.status === 412)) onChanged();
    } finally {
      setBusy(false);
    }
  };
  const sendEvidence = (submit) => {
    if (submit && !window.confirm(t("workbench.disputes.submit_confirm"))) return;
    send(submit ? "submit-evidence" : "stage-evidence", { submit }, {}); // the send route takes no If-Match
  };
  const failure = (action) => html`<div data-error-for=${action}><${Failure} error=${errors[action]} /></div>`;
  return html`<section class="card" data-part="dispute-actions"><h2>${t("workbench.disputes.actions")}</h2>
    ${actions.includes("take-up") && html`<div class="decide">
      <button data-action="take-up" disabled=${busy} onClick=${() => send("take-up", {})}>
        ${t("workbench.disputes.take_up")}</button></div>`}
    ${actions.includes("request-evidence") && html`<div class="decide">
      <input data-test="evidence-reason" aria-label=${t("workbench.disputes.ask_reason")}
        placeholder=${t("workbench.disputes.ask_reason")} value=${askReason} onInput=${(e) => setAskReason(e.target.value)} />
      <button data-action="request-evidence" disabled=${busy || !askReason.trim()}
        onClick=${() => send("request-evidence", { reason: askReason.trim() })}>${t("workbench.disputes.request_evidence")}</button>
</div>`}
    ${actions.includes("decision") && html`<div class="decide">
      <select data-test="outcome" aria-label=${t("workbench.disputes.outcome")} value=${outcome}
        onChange=${(e) => setOutcome(e.target.value)}>
        <option value="">${t("workbench.disputes.outcome")}</option>
        ${OUTCOMES.map((o) => html`<option value=${o}>${label("pack.outcome", o)}</option>`)}</select>
      <input data-test="decision-reason" aria-label=${t("workbench.disputes.decision_reason")}
        placeholder=${t("workbench.disputes.decision_reason")} value=${decisionReason}
        onInput=${(e) => setDecisionReason(e.target.value)} />
      <button data-action="decision" disabled=${busy || !outcome || !decisionReason.trim()}
        onClick=${() => send("decision", { outcome, reason: decisionReason.trim() })}>${t("workbench.disputes.decide")}</button>
</div>`}
    ${actions.includes("close") && html`<div class="decide">
      <input data-test="close-reason" aria-label=${t("workbench.disputes.close_reason")}
        placeholder=${t("workbench.disputes.close_reason")} value=${closeReason}
        onInput=${(e) => setCloseReason(e.target.value)} />
      <button data-action="close" disabled=${busy}
        onClick=${() => send("close", { reason: closeReason.trim() || undefined })}>${t("workbench.disputes.close")}</button>
</div>`}
    ${sendable && html`<div class="decide">
      <button data-action="stage-evidence" disabled=${busy} onClick=${() => sendEvidence(false)}>
        ${t("workbench.disputes.stage_evidence")}</button>
      <button data-action="submit-evidence" disabled=${busy} onClick=${() => sendEvidence(true)}>
        ${t("workbench.disputes.submit_evidence")}</button></div>`}
    ${sent && html`<p data-test="evidence-sent">${t("workbench.disputes.evidence_sent", {
      case_id: sent.case_id, fields: sent.fields.join(", "), status: sent.status })}</p>`}
    ${Object.keys(errors).map(failure)}
  </section>`;
}
