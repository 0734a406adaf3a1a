// A repair ticket's jobs (GET /tickets/{id}/repair-jobs), one per provider offered: the provider, the
// job's status and, once confirmed, its settlement (what the customer owes, the merchant's cost,
// what came off the ticket's refund, and the charge owed besides it with its state). A charge due is
// waived with a reason or recorded as paid with the payment's reference and the charge's amount
// (POST /repairs/jobs/{id}/charge/waiver | payment) by the money roles only; the API decides
// (roles, once, the exact amount) and its refusal is shown under the button. After a move, or a
// 409 (moved meanwhile), the part reads the jobs again and shows the state the API now holds.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError, get, post } from "./api.js";
import { decimalOf, label, minorOf, money, t } from "./i18n.js";
import { hasRole, MONEY } from "./session.js";
import { Failure, Part, useLoad } from "./widgets.js";

// A provider's name is a read of its own (GET /repairs/providers/{id}: agents, supervisors and admins);
// a role that may not read it (finance) sees the provider's id only.
async function loadJobs(ticketId) {
  const { items } = await get(`/tickets/${encodeURIComponent(ticketId)}/repair-jobs`);
  const ids = [...new Set(items.map((job) => job.provider_id))];
  const names = await Promise.all(ids.map((id) => get(`/repairs/providers/${encodeURIComponent(id)}`)
    .then((provider) => provider.name, () => null)));
  const nameOf = Object.fromEntries(ids.map((id, i) => [id, names[i]]));
  return items.map((job) => ({ job, providerName: nameOf[job.provider_id] }));
}

export const mayMoveCharge = (job, session) => job.settlement?.charge_state === "due" && hasRole(session, ...MONEY);

function ChargeActions({ job, session, onMoved }) {
  const charge = job.settlement?.charge;
  const [reason, setReason] = useState("");
  const [reference, setReference] = useState("");
  const [amount, setAmount] = useState(charge ? decimalOf(charge) : "");
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const may = mayMoveCharge(job, session);
  if (!may && !Object.keys(errors).length) return null;
  const send = async (action, body) => {
    setBusy(true);
    try {
      await post(`/repairs/jobs/${encodeURIComponent(job.job_id)}/charge/${action}`, body);
      setErrors({});
      onMoved();
    } catch (err) {
      setErrors({ [action]: err });
      if (err instanceof ApiError && err.status === 409) onMoved();
    } finally {
      setBusy(false);
    }
  };
  const minor = charge ? minorOf(amount, charge.currency) : null;
  const failure = (action) => html`<div data-error-for=${action}><${Failure} error=${errors[action]} /></div>`;
  return html`<div class="charge-actions">
    ${may && html`<div class="decide">
      <input data-test="waiver-reason" aria-label=${t("workbench.repair.waiver_reason")}
        placeholder=${t("workbench.repair.waiver_reason")} value=${reason} onInput=${(e) => setReason(e.target.value)} />
      <button data-action="waive" disabled=${busy || !reason.trim()}
        onClick=${() => send("waiver", { reason: reason.trim() })}>${t("workbench.repair.waive")}</button></div>`}
    ${failure("waiver")}
    ${may && html`<div class="decide">
      <input data-test="payment-reference" aria-label=${t("workbench.repair.reference")}
        placeholder=${t("workbench.repair.reference")} value=${reference}
        onInput=${(e) => setReference(e.target.value)} />
      <label>${t("workbench.repair.amount", { currency: charge.currency })}
        <input data-test="payment-amount" inputmode="decimal" size="10" value=${amount}
          onInput=${(e) => setAmount(e.target.value)} /></label>
      <button data-action="pay" disabled=${busy || !reference.trim() || minor == null}
        onClick=${() => send("payment", { reference: reference.trim(), amount: { amount: minor, currency: charge.currency } })}>
        ${t("workbench.repair.pay")}</button></div>`}
    ${failure("payment")}
  </div>`;
}

function Settlement({ settlement }) {
  if (!settlement) return html`<p class="muted" data-test="not-settled">${t("workbench.repair.not_settled")}</p>`;
  const figure = (name) => html`<span data-figure=${name}>${t(`workbench.repair.${name}`)}: ${money(settlement[name])}</span>`;
  const state = settlement.charge_state;
  return html`<p class="facts">
    ${figure("customer_owes")} ${figure("merchant_cost")} ${figure("deduction")} ${figure("charge")}
    <span class=${`pill ${state === "due" ? "warn" : "ok"}`} data-charge-state=${state || "none"}>
      ${t(`workbench.repair.charge_state.${state || "none"}`)}</span></p>`;
}

export function RepairPart({ ticket, session }) {
  const { data, error, reload } = useLoad(() => loadJobs(ticket.id), [ticket.id]);
  if (!data && !error) return html`<section class="card" data-part="repair"><h2>${t("workbench.ticket.repair")}</h2>
    <p class="muted">…</p></section>`;
  return html`<${Part} title=${t("workbench.ticket.repair")} name="repair" result=${error ? { error } : { value: data }}>${(jobs) => html`
    ${jobs.length ? html`<ul class="repair-jobs">${jobs.map(({ job, providerName }) => html`<li key=${job.job_id}
      data-job=${job.job_id}>
      <p class="facts"><b data-test="provider">${providerName ? `${providerName} (${job.provider_id})` : job.provider_id}</b>
        <span class="status" data-job-status=${job.status}>${label("workbench.provider.status", job.status)}</span>
        <small class="muted">${job.job_id}</small></p>
      <${Settlement} settlement=${job.settlement} />
      <${ChargeActions} job=${job} session=${session} onMoved=${reload} /></li>`)}</ul>`
      : html`<p class="muted">${t("workbench.repair.none")}</p>`}`}<//>`;
}
