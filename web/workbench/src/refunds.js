// Refunds across tickets (finance, supervisors, admins): GET /refunds?state= lists the tenant's
// grants by the state of their latest provider attempt, newest grant first, 50 a page with a
// cursor. A failed refund shows the provider's reason; every row links to its ticket.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { get, query } from "./api.js";
import { dateTime, label, money, t } from "./i18n.js";
import { Failure, ListEnd, Tabs, usePagedRows } from "./widgets.js";

export const REFUND_STATES = ["pending", "failed", "succeeded"];
const PAGE = 50;

export function Refunds() {
  const [state, setState] = useState("pending");
  const list = usePagedRows((after) => get(`/refunds${query({ state, limit: PAGE, cursor: after })}`), [state]);

  const col = (name) => t(`workbench.refunds.col.${name}`);
  return html`<section>
    <h1>${t("workbench.refunds.title")}</h1>
    <${Tabs} name="state" values=${REFUND_STATES} current=${state} onSelect=${setState}
      labelOf=${(s) => t(`workbench.refunds.state.${s}`)} />
    <${Failure} error=${list.error} />
    <table class="rows" data-test="refunds">
      <thead><tr><th>${t("workbench.col.ticket")}</th><th>${t("workbench.col.amount")}</th>
        <th>${col("destination")}</th><th>${t("workbench.col.status")}</th><th>${col("attempt")}</th>
        <th>${col("reason")}</th><th>${col("granted")}</th></tr></thead>
      <tbody>${list.rows.map((r) => html`<tr data-grant=${r.grant_id} data-ticket=${r.ticket_id}>
        <td data-label=${t("workbench.col.ticket")}><a href=${`#/tickets/${encodeURIComponent(r.ticket_id)}`}>${r.ticket_id}</a></td>
        <td data-label=${t("workbench.col.amount")} data-test="amount">${money(r.amount)}</td>
        <td data-label=${col("destination")}>${label("workbench.refunds.destination", r.destination)}</td>
        <td data-label=${t("workbench.col.status")}><span class=${`pill ${{ failed: "bad", succeeded: "ok" }[r.state] || ""}`}
          data-status=${r.status}>${label("pack.refund_status", r.status)}</span></td>
        <td data-label=${col("attempt")}>${r.attempt_number ?? "—"}</td>
        <td data-label=${col("reason")} data-test="reason">${r.failure_reason ? html`<code>${r.failure_reason}</code>` : "—"}</td>
        <td data-label=${col("granted")}>${dateTime(r.granted_at)}</td>
      </tr>`)}</tbody>
    </table>
    <${ListEnd} list=${list} empty=${t("workbench.refunds.empty")} />
  </section>`;
}
