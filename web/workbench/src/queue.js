// The queue: GET /tickets (the API filters by status and pages with a cursor); type, channel,
// assignee and SLA state filter the loaded page here, because the list endpoint has no such
// parameters. The page's SLA clocks come in one read: GET /sla/clocks?ticket_ids=... (one batch).
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { get, query } from "./api.js";
import { dateTime, label, labelsOf, money, t } from "./i18n.js";
import { SLA_STATES, slaOf } from "./sla.js";
import { Failure, SlaBadge, useNow } from "./widgets.js";

const PAGE = 50;

export function Queue() {
  const [filters, setFilters] = useState({ status: "", type: "", channel: "", assignee: "", sla: "" });
  const [tickets, setTickets] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [deadlines, setDeadlines] = useState({});
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const now = useNow();

  const load = async (after) => {
    setLoading(true);
    try {
      const page = await get(`/tickets${query({ status: filters.status, limit: PAGE, cursor: after })}`);
      setTickets((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setError(null);
      const ids = page.items.map((tk) => tk.id);
      const read = ids.length ? await get(`/sla/clocks${query({ ticket_ids: ids.join(",") })}`).catch(() => null) : null;
      const clocks = read ? read.clocks : {};
      setDeadlines((old) => ({ ...old, ...Object.fromEntries(ids.map((id) => [id, clocks[id] || []])) }));
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => { load(null); }, [filters.status]);

  const set = (name) => (e) => setFilters({ ...filters, [name]: e.target.value });
  const shown = tickets.filter((tk) => (!filters.type || tk.type === filters.type)
    && (!filters.channel || tk.channel === filters.channel)
    && (!filters.assignee || (tk.assignee_id || "").includes(filters.assignee.trim()))
    && (!filters.sla || (deadlines[tk.id] && slaOf(deadlines[tk.id], now).state === filters.sla)));
  const choice = (name, kind) => html`<label>${t(`workbench.filter.${name}`)}
    <select data-filter=${name} value=${filters[name]} onChange=${set(name)}>
      <option value="">${t("workbench.filter.any")}</option>
      ${labelsOf(kind).map(([value, text]) => html`<option value=${value}>${text}</option>`)}
    </select></label>`;

  return html`<section>
    <h1>${t("workbench.queue.title")}</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      ${choice("status", "status")} ${choice("type", "type")} ${choice("channel", "channel")}
      <label>${t("workbench.filter.assignee")}
        <input data-filter="assignee" value=${filters.assignee} onInput=${set("assignee")} /></label>
      <label>${t("workbench.filter.sla")}
        <select data-filter="sla" value=${filters.sla} onChange=${set("sla")}>
          <option value="">${t("workbench.filter.any")}</option>
          ${SLA_STATES.map((s) => html`<option value=${s}>${t(`workbench.sla.${s}`)}</option>`)}
        </select></label>
    </form>
    <${Failure} error=${error} />
    <table class="rows" data-test="queue">
      <thead><tr><th>${t("workbench.col.ticket")}</th><th>${t("workbench.col.type")}</th>
        <th>${t("workbench.col.status")}</th><th>${t("workbench.col.channel")}</th>
        <th>${t("workbench.col.assignee")}</th><th>${t("workbench.col.amount")}</th>
        <th>${t("workbench.col.created")}</th><th>${t("workbench.col.sla")}</th></tr></thead>
      <tbody>${shown.map((tk) => html`<tr data-ticket=${tk.id}>
        <td data-label=${t("workbench.col.ticket")}><a href=${`#/tickets/${encodeURIComponent(tk.id)}`}>${tk.id}</a></td>
        <td data-label=${t("workbench.col.type")}>${tk.type_label}</td>
        <td data-label=${t("workbench.col.status")}><span class="status" data-status=${tk.status}>${tk.status_label}</span></td>
        <td data-label=${t("workbench.col.channel")}>${label("channel", tk.channel)}</td>
        <td data-label=${t("workbench.col.assignee")}>${tk.assignee_id || "—"}</td>
        <td data-label=${t("workbench.col.amount")}>${money(tk.requested_amount)}</td>
        <td data-label=${t("workbench.col.created")}>${dateTime(tk.created_at)}</td>
        <td data-label=${t("workbench.col.sla")}><${SlaBadge} deadlines=${deadlines[tk.id]} now=${now} /></td>
      </tr>`)}</tbody>
    </table>
    ${!loading && !shown.length && html`<p class="muted" data-test="empty">${t("workbench.queue.empty")}</p>`}
    ${cursor && html`<button onClick=${() => load(cursor)} disabled=${loading}>${t("workbench.queue.more")}</button>`}
  </section>`;
}
