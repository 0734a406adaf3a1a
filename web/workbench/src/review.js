// A ticket's review (GET /tickets/{id}/approval) and the decision buttons. The API says which roles
// may give each verdict now (`eligible_roles`: on a dual review needing finance, the second approval
// is finance's alone); the buttons show only for those roles and never to someone who already
// decided, so the second approver's view differs from the first's. The API refuses anyway.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { post } from "./api.js";
import { dateTime, t } from "./i18n.js";
import { hasRole } from "./session.js";
import { Failure } from "./widgets.js";

export function mayDecide(review, verdict, session) {
  if (!review || review.status !== "pending") return false;
  if (review.decisions.some((d) => d.approver_id === session.userId)) return false;
  return hasRole(session, ...((review.eligible_roles || {})[verdict] || []));
}

export function ReviewPanel({ review, session, onDecided }) {
  const [comment, setComment] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  if (!review) return html`<p class="muted">${t("workbench.review.none")}</p>`;
  const approvals = review.decisions.filter((d) => d.verdict === "approve").length;
  const decide = async (verdict) => {
    setBusy(true);
    try {
      await post(`/tickets/${encodeURIComponent(review.ticket_id)}/approval/decisions`, { verdict, comment });
      setError(null);
      onDecided();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const already = review.decisions.some((d) => d.approver_id === session.userId);
  const canApprove = mayDecide(review, "approve", session);
  const canReject = mayDecide(review, "reject", session);
  return html`<div class="review" data-review=${review.ticket_id} data-route=${review.route}>
    <p><span class="pill">${t(`workbench.route.${review.route}`)}</span>
      <span class="pill" data-test="review-status">${t(`workbench.review.${review.status}`)}</span>
      ${review.requires_finance && html`<span class="pill warn">${t("workbench.review.requires_finance")}</span>`}
      <span>${t("workbench.review.progress", { given: approvals, needed: review.required_approvals })}</span></p>
    ${review.decisions.length > 0 && html`<ol class="decisions">${review.decisions.map((d) => html`<li>
      <b>${t(`workbench.verdict.${d.verdict}`)}</b> · ${d.approver_id} (${t(`role.${d.role}`)}) · ${dateTime(d.decided_at)}
      ${d.comment && html`<q>${d.comment}</q>`}</li>`)}</ol>`}
    ${review.status === "pending" && already && html`<p class="muted" data-test="decided-already">${t("workbench.review.you_decided")}</p>`}
    ${review.status === "pending" && !already && !canApprove
      && html`<p class="muted" data-test="not-yours">${t("workbench.review.not_your_role")}</p>`}
    ${(canApprove || canReject) && html`<div class="decide">
      <input aria-label=${t("workbench.review.comment")} placeholder=${t("workbench.review.comment")}
        value=${comment} onInput=${(e) => setComment(e.target.value)} />
      ${canApprove && html`<button data-action="approve" disabled=${busy} onClick=${() => decide("approve")}>${t("workbench.verdict.approve")}</button>`}
      ${canReject && html`<button data-action="reject" class="danger" disabled=${busy} onClick=${() => decide("reject")}>${t("workbench.verdict.reject")}</button>`}
    </div>`}
    <${Failure} error=${error} />
  </div>`;
}
