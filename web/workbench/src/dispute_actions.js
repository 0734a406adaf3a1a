// What an arbitrator does with a dispute: take it (or its appeal) up, ask the customer for
// evidence, decide it (POST /disputes/{id}/take-up, /request-evidence, /decision, each with
// If-Match the dispute's version). The buttons follow the dispute's `next` moves the API marks
// `permitted` for the caller; separation of duties (a decider of the ticket, the first arbitrator
// on appeal) is the API's, and its refusal is shown with the action's name, in the viewer's
// language (the API's translated message); a 409/412 also reloads the dispute.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError, post } from "./api.js";
import { label, t } from "./i18n.js";
import { Failure } from "./widgets.js";

// The dispute's move events, and the action that takes each one.
const ACTION_OF = {
  "dispute.review_started": "take-up",
  "dispute.appeal_review_started": "take-up",
  "dispute.evidence_requested": "request-evidence",
  "dispute.decided": "decision",
};
const OUTCOMES = ["upheld", "dismissed"];

export function permittedActions(dispute) {
  const found = dispute.next.filter((m) => m.permitted && ACTION_OF[m.event]).map((m) => ACTION_OF[m.event]);
  return [...new Set(found)];
}

export function DisputeActions({ dispute, onChanged }) {
  const actions = permittedActions(dispute);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [askReason, setAskReason] = useState("");
  const [outcome, setOutcome] = useState("");
  const [decisionReason, setDecisionReason] = useState("");
  if (!actions.length && !Object.keys(errors).length) return null;
  const send = async (action, body) => {
    setBusy(true);
    try {
      await post(`/disputes/${encodeURIComponent(dispute.id)}/${action}`, body, { "If-Match": `"${dispute.version}"` });
      setErrors({});
      onChanged();
    } catch (err) {
      setErrors({ [action]: err });
      if (err instanceof ApiError && (err.status === 409 || err.status === 412)) onChanged();
    } finally {
      setBusy(false);
    }
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
    ${Object.keys(errors).map(failure)}
  </section>`;
}
