// The queue: GET /tickets (the API filters by status and pages with a cursor); type, channel,
// assignee, team, SLA state and risk band filter the loaded pages here, because the list endpoint has
// no such parameters. The risk band is the one approval routing kept on the ticket (`risk`, staff only). The page's SLA clocks come in one read: GET /sla/clocks?ticket_ids=... (one batch).
// Teams come from the dispatch roster (GET /dispatch/agents, supervisors and admins): a ticket is
// in a team when its assignee is. Saved views keep a set of filters (views.js); selected rows take
// batch actions with a result per ticket (batch.js).
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { get, query } from "./api.js";
import { dateTime, label, labelsOf, money, t } from "./i18n.js";
import { hasRole } from "./session.js";
import { SLA_STATES, slaOf } from "./sla.js";
import { BatchBar } from "./batch.js";
import { deleteView, saveView, savedViews } from "./views.js";
import { Failure, RISK_BANDS, RiskBadge, SlaBadge, riskBand, useNow } from "./widgets.js";

const PAGE = 50;
const NO_FILTERS = { status: "", type: "", channel: "", assignee: "", team: "", sla: "", risk: "" };

function Views({ session, filters, onPick }) {
  const [views, setViews] = useState(() => savedViews(session));
  const [name, setName] = useState("");
  return html`<div class="views" data-test="views">
    <label>${t("workbench.views.saved")}
      <select data-test="view-pick" value="" onChange=${(e) => {
        const view = views.find((v) => v.name === e.target.value);
        if (view) onPick({ ...NO_FILTERS, ...view.filters });
      }}>
        <option value="">—</option>
        ${views.map((v) => html`<option value=${v.name}>${v.name}</option>`)}
      </select></label>
    <label>${t("workbench.views.name")}
      <input data-test="view-name" value=${name} onInput=${(e) => setName(e.target.value)} /></label>
    <button data-test="view-save" disabled=${!name.trim()}
      onClick=${() => { setViews(saveView(session, name.trim(), filters)); setName(""); }}>${t("workbench.views.save")}</button>
    ${views.map((v) => html`<button class="link" data-view-delete=${v.name}
      onClick=${() => setViews(deleteView(session, v.name))}>${t("workbench.views.delete", { name: v.name })}</button>`)}
  </div>`;
}

export function Queue({ session }) {
  const [filters, setFilters] = useState(NO_FILTERS);
  const [tickets, setTickets] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [deadlines, setDeadlines] = useState({});
  const [teams, setTeams] = useState(null); // agent id -> team id, when the caller may read the roster
  const [selected, setSelected] = useState(new Set());
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
  useEffect(() => { load(null); setSelected(new Set()); }, [filters.status]);
  useEffect(() => {
    if (!hasRole(session, "supervisor", "admin")) return;
    get("/dispatch/agents").then((roster) => setTeams(Object.fromEntries(
      roster.items.filter((a) => a.team_id).map((a) => [a.agent_id, a.team_id]))), () => setTeams(null));
  }, []);

  const set = (name) => (e) => setFilters({ ...filters, [name]: e.target.value });
  const shown = tickets.filter((tk) => (!filters.type || tk.type === filters.type)
    && (!filters.channel || tk.channel === filters.channel)
    && (!filters.assignee || (tk.assignee_id || "").includes(filters.assignee.trim()))
    && (!filters.team || (teams && teams[tk.assignee_id] === filters.team))
    && (!filters.sla || (deadlines[tk.id] && slaOf(deadlines[tk.id], now).state === filters.sla))
    && (!filters.risk || riskBand(tk) === filters.risk));
  const choice = (name, kind) => html`<label>${t(`workbench.filter.${name}`)}
    <select data-filter=${name} value=${filters[name]} onChange=${set(name)}>
      <option value="">${t("workbench.filter.any")}</option>
      ${labelsOf(kind).map(([value, text]) => html`<option value=${value}>${text}</option>`)}
    </select></label>`;
  const toggle = (id) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id); else next.add(id);
    setSelected(next);
  };
  const allShown = shown.length > 0 && shown.every((tk) => selected.has(tk.id));
  const teamIds = teams ? [...new Set(Object.values(teams))].sort() : [];

  return html`<section>
    <h1>${t("workbench.queue.title")}</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      ${choice("status", "status")} ${choice("type", "type")} ${choice("channel", "channel")}
      <label>${t("workbench.filter.assignee")}
        <input data-filter="assignee" value=${filters.assignee} onInput=${set("assignee")} /></label>
      ${teams && html`<label>${t("workbench.filter.team")}
        <select data-filter="team" value=${filters.team} onChange=${set("team")}>
          <option value="">${t("workbench.filter.any")}</option>
          ${teamIds.map((id) => html`<option value=${id}>${id}</option>`)}
        </select></label>`}
      <label>${t("workbench.filter.sla")}
        <select data-filter="sla" value=${filters.sla} onChange=${set("sla")}>
          <option value="">${t("workbench.filter.any")}</option>
          ${SLA_STATES.map((s) => html`<option value=${s}>${t(`workbench.sla.${s}`)}</option>`)}
        </select></label>
      <label>${t("workbench.filter.risk")}
        <select data-filter="risk" value=${filters.risk} onChange=${set("risk")}>
          <option value="">${t("workbench.filter.any")}</option>
          ${RISK_BANDS.map((b) => html`<option value=${b}>${t(`workbench.risk_band.${b}`)}</option>`)}
        </select></label>
    </form>
    <${Views} session=${session} filters=${filters} onPick=${setFilters} />
    ${selected.size > 0 && html`<${BatchBar} session=${session} selected=${selected}
      onDone=${() => load(null)} />`}
    <${Failure} error=${error} />
    <table class="rows" data-test="queue">
      <thead><tr><th><input type="checkbox" data-test="select-all" aria-label=${t("workbench.batch.select_all")}
          checked=${allShown} onChange=${() => setSelected(allShown ? new Set() : new Set(shown.map((tk) => tk.id)))} /></th>
        <th>${t("workbench.col.ticket")}</th><th>${t("workbench.col.type")}</th>
        <th>${t("workbench.col.status")}</th><th>${t("workbench.col.channel")}</th>
        <th>${t("workbench.col.assignee")}</th><th>${t("workbench.col.amount")}</th>
        <th>${t("workbench.col.created")}</th><th>${t("workbench.col.sla")}</th>
        <th>${t("workbench.col.risk")}</th></tr></thead>
      <tbody>${shown.map((tk) => html`<tr data-ticket=${tk.id}>
        <td><input type="checkbox" data-select=${tk.id} aria-label=${tk.id} checked=${selected.has(tk.id)}
          onChange=${() => toggle(tk.id)} /></td>
        <td data-label=${t("workbench.col.ticket")}><a href=${`#/tickets/${encodeURIComponent(tk.id)}`}>${tk.id}</a></td>
        <td data-label=${t("workbench.col.type")}>${tk.type_label}</td>
        <td data-label=${t("workbench.col.status")}><span class="status" data-status=${tk.status}>${tk.status_label}</span></td>
        <td data-label=${t("workbench.col.channel")}>${label("channel", tk.channel)}</td>
        <td data-label=${t("workbench.col.assignee")}>${tk.assignee_id || "—"}</td>
        <td data-label=${t("workbench.col.amount")}>${money(tk.requested_amount)}</td>
        <td data-label=${t("workbench.col.created")}>${dateTime(tk.created_at)}</td>
        <td data-label=${t("workbench.col.sla")}><${SlaBadge} deadlines=${deadlines[tk.id]} now=${now} /></td>
        <td data-label=${t("workbench.col.risk")}><${RiskBadge} risk=${tk.risk} /></td>
      </tr>`)}</tbody>
    </table>
    ${!loading && !shown.length && html`<p class="muted" data-test="empty">${t("workbench.queue.empty")}</p>`}
    ${cursor && html`<button onClick=${() => load(cursor)} disabled=${loading}>${t("workbench.queue.more")}</button>`}
  </section>`;
}
