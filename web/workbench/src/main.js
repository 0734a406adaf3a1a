// The staff workbench: sign-in, the queue, a ticket, the approvals inbox, refunds, disputes, the
// supervisor dashboard, reviews moderation, NPS / CSAT. Preact + htm (no build
// step beyond bundling: htm is tagged templates, not JSX). Routes live in the URL's fragment.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import "./style.css";
import { ARBITERS, currentSession, hasRole, lapsedSession, MONEY, signOut, takeTokenFromLink } from "./session.js";
import { chooseLocale, loadMessages, locale, locales, t } from "./i18n.js";
import { Renew, SignIn } from "./signin.js";
import { Queue } from "./queue.js";
import { TicketPage } from "./ticket.js";
import { Approvals } from "./approvals.js";
import { Moderation } from "./moderation.js";
import { Refunds } from "./refunds.js";
import { Disputes } from "./disputes.js";
import { Exports } from "./exports.js";

// The chart screens are loaded when first opened: ECharts is most of their weight, and the queue,
// a ticket and the approvals need none of it (esbuild splits it into its own chunk).
const chartScreens = () => import("./charts-screens.js");

function Lazy({ name, ...props }) {
  const [screens, setScreens] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { chartScreens().then(setScreens, setError); }, []);
  if (error) return html`<p class="error" role="alert">${error.message}</p>`;
  if (!screens) return html`<p class="muted">…</p>`;
  const Screen = screens[name];
  return html`<${Screen} ...${props} />`;
}

function route() {
  const hash = location.hash.replace(/^#/, "") || "/queue";
  const ticket = hash.match(/^\/tickets\/([^/?]+)/);
  if (ticket) return { name: "ticket", id: decodeURIComponent(ticket[1]) };
  const dispute = hash.match(/^\/disputes\/([^/?]+)/);
  if (dispute) return { name: "disputes", id: decodeURIComponent(dispute[1]) };
  if (hash.startsWith("/disputes")) return { name: "disputes" };
  if (hash.startsWith("/refunds")) return { name: "refunds" };
  if (hash.startsWith("/exports")) return { name: "exports" };
  if (hash.startsWith("/approvals")) return { name: "approvals" };
  if (hash.startsWith("/dashboard")) return { name: "dashboard" };
  if (hash.startsWith("/reviews")) return { name: "reviews" };
  if (hash.startsWith("/satisfaction")) return { name: "satisfaction" };
  if (hash.startsWith("/sign-in")) return { name: "sign-in" };
  return { name: "queue" };
}

// The roles the reviews and satisfaction routes serve (finance and arbitration have neither).
const STAFF = ["agent", "supervisor", "admin"];

function Header({ session, onLocale }) {
  const here = route().name;
  const link = (name, href, text) =>
    html`<a href=${href} class=${here === name ? "active" : ""} data-nav=${name}>${text}</a>`;
  return html`<header class="bar">
    <strong class="brand">${t("workbench.title")}</strong>
    ${session && html`<nav>${link("queue", "#/queue", t("workbench.nav.queue"))}
      ${link("approvals", "#/approvals", t("workbench.nav.approvals"))}
      ${hasRole(session, ...MONEY) && link("refunds", "#/refunds", t("workbench.nav.refunds"))}
      ${hasRole(session, ...ARBITERS) && link("disputes", "#/disputes", t("workbench.nav.disputes"))}
      ${hasRole(session, "supervisor", "admin") && link("dashboard", "#/dashboard", t("workbench.nav.dashboard"))}
      ${hasRole(session, "supervisor", "admin") && link("exports", "#/exports", t("workbench.nav.exports"))}
      ${hasRole(session, ...STAFF) && link("reviews", "#/reviews", t("workbench.nav.reviews"))}
      ${hasRole(session, ...STAFF) && link("satisfaction", "#/satisfaction", t("workbench.nav.satisfaction"))}</nav>`}
    <span class="spacer"></span>
    <label class="lang">${t("workbench.language")}
      <select data-test="locale" value=${locale()} onChange=${(e) => onLocale(e.target.value)}>
        ${locales().map((l) => html`<option value=${l}>${t(`workbench.locale.${l}`)}</option>`)}
      </select></label>
    ${session && html`<span class="who" data-test="who">${`${session.userId} · ${session.roles.map((r) => t(`role.${r}`)).join(", ")}`}</span>
      <button class="link" data-test="sign-out" onClick=${() => { signOut(); location.hash = "#/sign-in"; }}>
        ${t("workbench.sign_out")}</button>`}
  </header>`;
}

function App() {
  const [, setTick] = useState(0);
  const [ready, setReady] = useState(false);
  const refresh = () => setTick((n) => n + 1);
  useEffect(() => {
    takeTokenFromLink();
    loadMessages().then(() => setReady(true));
    addEventListener("hashchange", refresh);
    addEventListener("workbench:session-lapsed", refresh);
    return () => {
      removeEventListener("hashchange", refresh);
      removeEventListener("workbench:session-lapsed", refresh);
    };
  }, []);
  const live = currentSession();
  const lapsed = live ? null : lapsedSession();
  useEffect(() => { // show the sign-in again the moment the token runs out
    if (!live || !Number.isFinite(live.expiresAt)) return undefined;
    const timer = setTimeout(refresh, Math.max(0, live.expiresAt - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [live && live.token]);
  if (!ready) return null;
  const session = live || lapsed;
  const where = route();
  const onLocale = (value) => chooseLocale(value).then(refresh);
  let screen;
  if (!session || where.name === "sign-in") screen = html`<${SignIn} onSignedIn=${() => { location.hash = "#/queue"; refresh(); }} />`;
  else if (where.name === "ticket") screen = html`<${TicketPage} key=${where.id + locale()} id=${where.id} session=${session} />`;
  else if (where.name === "dashboard") screen = html`<${Lazy} name="Dashboard" key=${locale()} session=${session} />`;
  else if (where.name === "satisfaction") screen = html`<${Lazy} name="Satisfaction" key=${locale()} session=${session} />`;
  else if (where.name === "reviews") screen = html`<${Moderation} key=${locale()} session=${session} />`;
  else if (where.name === "exports") screen = html`<${Exports} key=${locale()} />`;
  else if (where.name === "refunds") screen = html`<${Refunds} key=${locale()} session=${session} />`;
  else if (where.name === "disputes") screen = html`<${Disputes} key=${where.id + locale()} id=${where.id} session=${session} />`;
  else if (where.name === "approvals") screen = html`<${Approvals} key=${locale()} session=${session} />`;
  else screen = html`<${Queue} key=${locale()} session=${session} />`;
  return html`<${Header} session=${session} onLocale=${onLocale} /><main>${screen}</main>
    ${session && lapsed && where.name !== "sign-in" && html`<${Renew} lapsed=${lapsed} onRenewed=${refresh} />`}`;
}

render(html`<${App} />`, document.getElementById("app"));
