// One ticket: header, its type's state diagram with the current state, the allowed moves as buttons,
// the customer timeline, lines with quantities, media, the conversation with a reply box, the review,
// risk reasons, refunds, a repair's jobs and their charge, and the audit chain with its verification badge.
// Every part is one API read; a part the caller may not read (403) says so and the rest still shows.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError, get, getOptional, post } from "./api.js";
import { dateTime, label, money, t } from "./i18n.js";
import { ReviewPanel } from "./review.js";
import { StateDiagram } from "./diagram.js";
import { RepairPart } from "./repair.js";
import { Failure, Part, SlaBadge, Thumbnail, useLoad, useNow } from "./widgets.js";

const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

async function loadTicket(id) {
  const path = `/tickets/${encodeURIComponent(id)}`;
  const [ticket, conversation, review, risk, refund, audit, verify, deadlines] = await Promise.all([
    get(path), settle(get(`${path}/conversation`)), settle(getOptional(`${path}/approval`)),
    settle(get(`${path}/risk`)), settle(get(`${path}/refund`)), settle(get(`${path}/audit`)),
    settle(get(`${path}/audit/verify`)), settle(get(`${path}/deadlines`))]);
  // The API has no ticket-to-parcels read: the parcels are the tracking numbers its audit chain's
  // carrier-scan entries name, each read with GET /parcels/{tracking number}.
  const numbers = audit.value ? [...new Set(audit.value.entries.map((e) => e.data?.tracking_number).filter(Boolean))] : [];
  const [parcels, table, timeline, media] = await Promise.all([
    settle(Promise.all(numbers.map((n) => get(`/parcels/${encodeURIComponent(n)}`)))),
    settle(get(`/ticket-types/${encodeURIComponent(ticket.type)}/transitions`)), settle(get(`${path}/timeline`)),
    settle(Promise.all((ticket.media_ids || []).map((m) => get(`/media/${encodeURIComponent(m)}`))))]);
  return { ticket, conversation, review, risk, refund, audit, verify, deadlines, parcels, table, timeline, media };
}

function Moves({ ticket, onMoved }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const mine = ticket.next.filter((m) => m.permitted);
  const owned = ticket.next.filter((m) => !m.permitted && m.use);
  const move = async (to) => {
    setBusy(true);
    try {
      await post(`/tickets/${encodeURIComponent(ticket.id)}/transitions`, { to, reason: reason || undefined },
        { "If-Match": `"${ticket.version}"` });
      setError(null);
      onMoved();
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.status === 409) onMoved(); // moved meanwhile: show where it is now
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="moves" data-test="moves">
    ${mine.length ? html`<input aria-label=${t("workbench.moves.reason")} placeholder=${t("workbench.moves.reason")}
      value=${reason} onInput=${(e) => setReason(e.target.value)} />
      ${mine.map((m) => html`<button data-move=${m.to} disabled=${busy} onClick=${() => move(m.to)}>
        ${t("workbench.moves.to", { status: label("status", m.to) })}</button>`)}`
      : html`<p class="muted">${t("workbench.moves.none")}</p>`}
    ${owned.length > 0 && html`<p class="muted">${t("workbench.moves.owned")}
      ${owned.map((m) => label("status", m.to)).join(", ")}</p>`}
    <${Failure} error=${error} />
  </div>`;
}

function Reply({ ticket, onSent }) {
  const [body, setBody] = useState("");
  const [channel, setChannel] = useState("");
  const [error, setError] = useState(null);
  const send = async (e) => {
    e.preventDefault();
    try {
      await post(`/tickets/${encodeURIComponent(ticket.id)}/replies`, { body, channel: channel || undefined });
      setBody("");
      setError(null);
      onSent();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="reply" onSubmit=${send}>
    <textarea data-test="reply-body" rows="3" aria-label=${t("workbench.reply.body")}
      placeholder=${t("workbench.reply.body")} value=${body} onInput=${(e) => setBody(e.target.value)}></textarea>
    <label>${t("workbench.reply.channel")}
      <select data-test="reply-channel" value=${channel} onChange=${(e) => setChannel(e.target.value)}>
        <option value="">${t("workbench.reply.usual_channel")}</option>
        <option value="email">${label("channel", "email")}</option>
        <option value="wecom">${label("channel", "wecom")}</option>
      </select></label>
    <button type="submit" data-test="reply-send" disabled=${!body.trim()}>${t("workbench.reply.send")}</button>
    <${Failure} error=${error} />
  </form>`;
}

export function TicketPage({ id, session }) {
  const { data, error, reload } = useLoad(() => loadTicket(id), [id]);
  const now = useNow();
  if (error) return html`<${Failure} error=${error} />`;
  if (!data) return html`<p class="muted">…</p>`;
  const { ticket } = data;
  return html`<article data-ticket-page=${ticket.id}>
    <h1>${ticket.type_label} <small>${ticket.id}</small></h1>
    <p class="facts">
      <span class="status" data-test="status" data-status=${ticket.status}>${ticket.status_label}</span>
      <span>${t("workbench.col.channel")}: ${label("channel", ticket.channel)}</span>
      <span>${t("workbench.ticket.order")}: ${ticket.order_id}</span>
      <span>${t("workbench.ticket.customer")}: ${ticket.customer_id}</span>
      ${ticket.reason_code && html`<span data-test="reason">${`${t("workbench.ticket.reason")}: ${label("workbench.return_reason", ticket.reason_code)}`}</span>`}
      <span>${t("workbench.col.assignee")}: ${ticket.assignee_id || "—"}</span>
      <span>${t("workbench.col.amount")}: ${money(ticket.requested_amount)}</span>
      <span>${t("workbench.col.created")}: ${dateTime(ticket.created_at)}</span>
      ${!data.deadlines.error && html`<${SlaBadge} deadlines=${data.deadlines.value.deadlines} now=${now} />`}
    </p>
    ${ticket.description && html`<blockquote>${ticket.description}</blockquote>`}
    <section class="card" data-part="state"><h2>${t("workbench.ticket.state")}</h2>
      ${data.table.value && html`<${StateDiagram} table=${data.table.value} current=${ticket.status}
        open=${ticket.next.filter((m) => m.permitted).map((m) => m.to)} />`}
      <${Moves} ticket=${ticket} onMoved=${reload} /></section>
    <${Part} title=${t("workbench.ticket.timeline")} name="timeline" result=${data.timeline}>${(tl) => html`
      ${tl.entries.length ? html`<ol class="timeline">${tl.entries.map((e) => html`<li data-seq=${e.seq}>
        <small>${dateTime(e.at)}</small> <b>${e.title}</b> · ${e.status_label}</li>`)}</ol>`
        : html`<p class="muted">${t("workbench.timeline.none")}</p>`}`}<//>
    <section class="card" data-part="lines"><h2>${t("workbench.ticket.lines")}</h2>
      ${ticket.lines.length ? html`<table class="rows"><thead><tr><th>SKU</th>
        <th>${t("workbench.line.requested")}</th><th>${t("workbench.line.received")}</th>
        <th>${t("workbench.line.accepted")}</th><th>${t("workbench.line.damaged")}</th>
        <th>${t("workbench.line.unit_price")}</th><th>${t("workbench.line.reception")}</th></tr></thead>
        <tbody>${ticket.lines.map((ln) => html`<tr>
          <td data-label="SKU">${ln.sku}</td><td data-label=${t("workbench.line.requested")}>${ln.quantity_requested}</td>
          <td data-label=${t("workbench.line.received")}>${ln.quantity_received}</td>
          <td data-label=${t("workbench.line.accepted")}>${ln.quantity_accepted}</td>
          <td data-label=${t("workbench.line.damaged")}>${ln.quantity_damaged}</td>
          <td data-label=${t("workbench.line.unit_price")}>${money(ln.unit_price)}</td>
          <td data-label=${t("workbench.line.reception")}>${ln.reception} / ${ln.acceptance}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">${t("workbench.ticket.no_lines")}</p>`}</section>
    <${Part} title=${t("workbench.ticket.conversation")} name="conversation" result=${data.conversation}>${(c) => html`
      <ol class="messages">${c.items.map((m) => html`<li class=${`msg ${m.direction}`}>
        <small>${dateTime(m.at)} · ${label("channel", m.channel)} · ${m.author}</small><p>${m.body}</p></li>`)}</ol>
      ${!c.items.length && html`<p class="muted">${t("workbench.ticket.no_messages")}</p>`}
      <${Reply} ticket=${ticket} onSent=${reload} />`}<//>
    <${Part} title=${t("workbench.ticket.review")} name="review" result=${data.review}>${(r) => html`
      <${ReviewPanel} review=${r} session=${session} onDecided=${reload} />`}<//>
    <${Part} title=${t("workbench.ticket.risk")} name="risk" result=${data.risk}>${(r) => html`
      <p>${t("workbench.risk.score", { score: r.score })}</p>
      <ul>${r.reasons.map((x) => html`<li data-risk-reason=${x.code}>${`${label("workbench.risk_reason", x.code)} `}<small class="muted">${x.code}</small>${` ${x.weight >= 0 ? "+" : ""}${x.weight}`}</li>`)}</ul>`}<//>
    <${Part} title=${t("workbench.ticket.refunds")} name="refunds" result=${data.refund}>${(r) => html`
      ${r.grants.length ? html`<ul>${r.grants.map((g) => html`<li>${money(g.amount)} · ${g.destination} ·
        <b>${g.status}</b> · ${dateTime(g.granted_at)}${g.failure_reason && html` · ${g.failure_reason}`}
        (${t("workbench.refund.attempts", { count: g.attempts.length })})</li>`)}</ul>`
        : html`<p class="muted">${t("workbench.refund.none")}</p>`}`}<//>
    ${ticket.type === "repair" && html`<${RepairPart} ticket=${ticket} session=${session} />`}
    <${Part} title=${t("workbench.ticket.parcels")} name="parcels" result=${data.parcels}>${(list) => html`
      ${list.length ? html`<ul>${list.map((p) => html`<li data-parcel=${p.tracking_number}><code>${p.tracking_number}</code> ·
        <b>${p.status}</b> / ${p.sub_status} · ${t("workbench.parcel.checkpoints", { count: p.events })}
        ${p.last_checkpoint_at && html` · ${dateTime(p.last_checkpoint_at)}`}</li>`)}</ul>`
        : html`<p class="muted">${t("workbench.parcel.none")}</p>`}`}<//>
    <${Part} title=${t("workbench.ticket.media")} name="media" result=${data.media}>${(list) => html`
      ${list.length ? html`<ul>${list.map((m) => html`<li data-media=${m.id}><code>${m.id}</code> · ${m.content_type} ·
        <b>${m.status}</b>${m.metadata?.width ? ` · ${m.metadata.width}×${m.metadata.height}` : ""}
        ${m.reason_message && html` · ${m.reason_message}`}
        ${m.url && html` · <a href=${m.url} target="_blank" rel="noopener noreferrer" data-test="media-open">${t("workbench.media.open")}</a>`}
        <${Thumbnail} url=${m.status === "ready" ? m.url : null} contentType=${m.content_type}
          alt=${t("workbench.media.thumbnail", { id: m.id })} /></li>`)}</ul>`
        : html`<p class="muted">${t("workbench.media.none")}</p>`}`}<//>
    <${Part} title=${t("workbench.ticket.audit")} name="audit" result=${data.audit}>${(a) => html`
      ${!data.verify.error && html`<p><span data-test="chain" data-valid=${String(data.verify.value.valid)}
        class=${`pill ${data.verify.value.valid ? "ok" : "bad"}`}>${data.verify.value.valid
          ? t("workbench.audit.verified", { entries: data.verify.value.entries })
          : t("workbench.audit.broken", { seq: data.verify.value.first_broken_seq })}</span></p>`}
      <ol class="audit">${a.entries.map((e) => html`<li><small>#${e.seq} · ${dateTime(e.at)}</small>
        ${label("event", e.event)} · ${e.actor_id} (${e.actor_role})
        ${e.from_status ? ` · ${label("status", e.from_status)} → ` : " · "}${label("status", e.to_status)}
        ${e.reason && html`<q>${e.reason}</q>`}</li>`)}</ol>`}<//>
  </article>`;
}
