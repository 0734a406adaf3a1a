// The reviews moderation queue: reviews by status (GET /moderation/queue for those the moderation
// consumer sent to a person, GET /reviews?status= for the others), each with what moderation found
// (reason codes, scores) and the review's photos as thumbnails (the review view's media, each with
// a short-lived presigned URL), and publish or reject with a reason (POST /reviews/{id}/moderation,
// If-Match the review's version; a newer version answers 409/412 and the list reloads).
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError, get, post, query } from "./api.js";
import { dateTime, t } from "./i18n.js";
import { Failure, Thumbnail, useLoad } from "./widgets.js";

const STATUSES = ["pending_review", "published", "rejected", "pending"];

async function reviewsIn(status, cursor) {
  const path = status === "pending_review" ? "/moderation/queue" : "/reviews";
  return get(`${path}${query({ status: status === "pending_review" ? "" : status, limit: 50, cursor })}`);
}

function Decide({ review, onDecided }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const decide = async (verdict) => {
    setBusy(true);
    try {
      await post(`/reviews/${encodeURIComponent(review.id)}/moderation`, { verdict, reason: reason.trim() },
        { "If-Match": `"${review.version}"` });
      setError(null);
      onDecided();
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && (err.status === 409 || err.status === 412)) onDecided();
    } finally {
      setBusy(false);
    }
  };
  const ready = reason.trim() && !busy;
  return html`<div class="decide">
    <input data-test="moderation-reason" aria-label=${t("workbench.moderation.reason")}
      placeholder=${t("workbench.moderation.reason")} value=${reason} onInput=${(e) => setReason(e.target.value)} />
    ${review.status !== "published" && html`<button data-action="publish" disabled=${!ready}
      onClick=${() => decide("publish")}>${t("workbench.moderation.publish")}</button>`}
    ${review.status !== "rejected" && html`<button data-action="reject" class="danger" disabled=${!ready}
      onClick=${() => decide("reject")}>${t("workbench.moderation.reject")}</button>`}
    <${Failure} error=${error} />
  </div>`;
}

function ReviewCard({ review, onDecided }) {
  const found = review.moderation;
  // A person's decision is an audit entry of the review (moderation keeps the consumer's verdict).
  const staff = [...(review.entries || [])].reverse().find((e) => e.event.endsWith("_by_staff"));
  return html`<article class="card" data-review-id=${review.id} data-review-status=${review.status}>
    <h2><span aria-label=${t("workbench.moderation.rating", { rating: review.rating })}>${"★".repeat(review.rating)}${"☆".repeat(5 - review.rating)}</span>
      ${review.title && html` ${review.title}`}<small>${review.sku} · ${review.locale} · ${dateTime(review.created_at)}</small></h2>
    <blockquote data-test="review-text">${review.text}</blockquote>
    <p class="facts"><span>${t("workbench.moderation.order")}: ${review.order_id} / ${review.line_id}</span>
      <span>${t("workbench.ticket.customer")}: ${review.customer_id}</span>
      ${review.verified_buyer && html`<span class="pill ok">${t("workbench.moderation.verified_buyer")}</span>`}
      ${review.edited && html`<span class="pill">${t("workbench.moderation.edited")}</span>`}
      ${review.media.length > 0 && html`<span>${t("workbench.moderation.media", { count: review.media.length })}</span>`}</p>
    ${review.media.length > 0 && html`<ul class="thumbs" data-test="review-media">${review.media.map((m) => html`<li data-media=${m.id}>
      <${Thumbnail} url=${m.url} contentType=${m.content_type} alt=${t("workbench.moderation.photo", { id: m.id })} />
      ${m.url && html`<a href=${m.url} target="_blank" rel="noopener noreferrer" data-test="media-open">${t("workbench.media.open")}</a>`}</li>`)}</ul>`}
    ${staff && html`<p data-test="staff-decision">${t("workbench.moderation.decided_by", { by: staff.actor_id, at: dateTime(staff.at) })}
      <b>${t(`workbench.moderation.status.${staff.to_status}`)}</b><q>${staff.reason}</q></p>`}
    ${found && html`<p data-test="moderation-found">${t("workbench.moderation.found_by_consumer", { at: dateTime(found.at) })}
      ${found.reasons.map((r) => html` <span class="pill warn" data-reason=${r.code} title=${r.detail || ""}>${r.code}</span>`)}
      ${Object.entries(found.scores || {}).map(([k, v]) => html` <small>${k} ${v}</small>`)}</p>`}
    <${Decide} review=${review} onDecided=${onDecided} />
  </article>`;
}

export function Moderation() {
  const [status, setStatus] = useState("pending_review");
  const [pages, setPages] = useState(1); // "load more" reads the next page with the last cursor
  const load = async () => {
    let page = await reviewsIn(status);
    const items = [...page.items];
    for (let n = 1; n < pages && page.next_cursor; n += 1) {
      page = await reviewsIn(status, page.next_cursor);
      items.push(...page.items);
    }
    return { items, next_cursor: page.next_cursor };
  };
  const { data, error, loading, reload } = useLoad(load, [status, pages]);
  const items = data?.items || [];
  return html`<section data-screen="moderation">
    <h1>${t("workbench.moderation.title")}</h1>
    <div class="filters"><label>${t("workbench.filter.status")}
      <select data-test="review-status-filter" value=${status} onChange=${(e) => { setPages(1); setStatus(e.target.value); }}>
        ${STATUSES.map((s) => html`<option value=${s}>${t(`workbench.moderation.status.${s}`)}</option>`)}
      </select></label></div>
    <${Failure} error=${error} />
    ${!loading && !items.length && !error && html`<p class="muted" data-test="empty">${t("workbench.moderation.empty")}</p>`}
    ${items.map((r) => html`<${ReviewCard} key=${r.id} review=${r} onDecided=${reload} />`)}
    ${data?.next_cursor && html`<button data-test="more" disabled=${loading} onClick=${() => setPages(pages + 1)}>
      ${t("workbench.queue.more")}</button>`}
  </section>`;
}
