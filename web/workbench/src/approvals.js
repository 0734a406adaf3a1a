// The approvals inbox: the tickets pending approval (GET /tickets?status=pending_approval) with
// each one's review. Single and dual reviews; on a dual review the second approver sees who gave
// the first approval and that theirs completes it.
import { html } from "./html.js";
import { get, getOptional } from "./api.js";
import { money, t } from "./i18n.js";
import { mayDecide, ReviewPanel } from "./review.js";
import { Failure, useLoad } from "./widgets.js";

async function inbox() {
  const page = await get("/tickets?status=pending_approval&limit=100");
  const reviews = await Promise.all(page.items.map((tk) => getOptional(`/tickets/${encodeURIComponent(tk.id)}/approval`)));
  return page.items.map((ticket, i) => ({ ticket, review: reviews[i] }));
}

export function Approvals({ session }) {
  const { data, error, loading, reload } = useLoad(inbox, []);
  const items = data || [];
  const mine = items.filter(({ review }) => mayDecide(review, "approve", session) || mayDecide(review, "reject", session));
  return html`<section>
    <h1>${t("workbench.approvals.title")}</h1>
    <p class="muted">${t("workbench.approvals.summary", { waiting: items.length, yours: mine.length })}</p>
    <${Failure} error=${error} />
    ${!loading && !items.length && html`<p class="muted" data-test="empty">${t("workbench.approvals.empty")}</p>`}
    ${items.map(({ ticket, review }) => html`<article class="card" data-ticket=${ticket.id}>
      <h2><a href=${`#/tickets/${encodeURIComponent(ticket.id)}`}>${ticket.id}</a>
        <small>${ticket.type_label} · ${money(ticket.requested_amount)}</small></h2>
      <${ReviewPanel} review=${review} session=${session} onDecided=${reload} />
    </article>`)}
  </section>`;
}
