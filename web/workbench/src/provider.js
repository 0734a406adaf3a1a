// The repair provider's page (provider.html, next to the workbench): a provider or one of its
// technicians signs in with its API key and works its jobs through the repairs API, on a phone
// first. Same build, same helpers and texts as the workbench; routes live in the URL's fragment.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import "./style.css";
import "./provider.css";
import { ApiError, get, query, signCallsWith } from "./api.js";
import { chooseLocale, dateTime, label, loadMessages, locale, locales, t } from "./i18n.js";
import { Failure } from "./widgets.js";
import { forgetKey, keepKey, keyCredential, providerKey } from "./provider_key.js";
import { takeUploadedPhoto } from "./provider_photos.js";
import { JobScreen, windowText } from "./provider_job.js";

signCallsWith(keyCredential);

function SignIn({ onSignedIn }) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    keepKey(key.trim());
    try {
      await get(`/repairs/jobs${query({ limit: 1 })}`); // the key is good if the API lists its jobs
      onSignedIn();
    } catch (err) {
      forgetKey();
      setProblem(err instanceof ApiError && [401, 403].includes(err.status) ? new Error(t("workbench.provider.sign_in.refused")) : err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card narrow">
    <h1>${t("workbench.provider.sign_in.title")}</h1>
    <p>${t("workbench.provider.sign_in.help")}</p>
    <form onSubmit=${submit} class="stack">
      <label for="key">${t("workbench.provider.sign_in.key")}</label>
      <input id="key" data-test="key" type="password" autocomplete="off" required value=${key}
        onInput=${(e) => setKey(e.target.value)} />
      <${Failure} error=${problem} />
      <button type="submit" data-test="sign-in" disabled=${busy}>${t("workbench.sign_in.submit")}</button>
    </form>
  </section>`;
}

// The list's groups, in the order a working day reads them.
const GROUPS = ["offered", "to_book", "today", "upcoming", "in_progress"];

function groupOf(job, endOfToday) {
  if (job.status === "offered") return "offered";
  if (job.status === "accepted") return "to_book";
  if (job.status === "booked") return new Date(job.appointment.window.start) < endOfToday ? "today" : "upcoming";
  return "in_progress";
}

function JobList() {
  const [state, setState] = useState({ jobs: [], cursor: null, error: null, loading: true });
  const load = async (cursor) => {
    setState((s) => ({ ...s, loading: true }));
    try {
      const page = await get(`/repairs/jobs${query({ limit: 100, cursor })}`);
      setState((s) => ({ jobs: cursor ? [...s.jobs, ...page.items] : page.items, cursor: page.next_cursor,
        error: null, loading: false }));
    } catch (error) {
      setState((s) => ({ ...s, error, loading: false }));
    }
  };
  useEffect(() => { load(null); }, []);
  const endOfToday = new Date();
  endOfToday.setHours(24, 0, 0, 0);
  const grouped = Object.fromEntries(GROUPS.map((g) => [g, []]));
  state.jobs.forEach((job) => grouped[groupOf(job, endOfToday)].push(job));
  return html`<h1>${t("workbench.provider.jobs.title")}</h1>
    <${Failure} error=${state.error} />
    ${!state.loading && !state.jobs.length && !state.error && html`<p class="muted" data-test="empty">${t("workbench.provider.jobs.empty")}</p>`}
    ${GROUPS.filter((g) => grouped[g].length).map((g) => html`<section class="group" data-group=${g}>
      <h2>${t(`workbench.provider.group.${g}`)} <small>${grouped[g].length}</small></h2>
      <ul class="jobs">${grouped[g].map((job) => html`<li data-job=${job.job_id}>
        <a class="job card" href=${`#/jobs/${encodeURIComponent(job.job_id)}`}>
          <span class="status">${label("workbench.provider.status", job.status)}</span>
          <strong>${job.skus.join(", ")}</strong>
          <span class="muted">${job.appointment ? windowText(job.appointment.window) : dateTime(job.created_at)}</span>
          <small class="muted">${job.job_id}</small>
        </a></li>`)}</ul></section>`)}
    ${state.cursor && html`<button onClick=${() => load(state.cursor)} disabled=${state.loading}>${t("workbench.queue.more")}</button>`}`;
}

function route() {
  const job = location.hash.match(/^#\/jobs\/([^/?]+)/);
  return job ? { name: "job", id: decodeURIComponent(job[1]) } : { name: "jobs" };
}

function App() {
  const [, setTick] = useState(0);
  const [ready, setReady] = useState(false);
  const refresh = () => setTick((n) => n + 1);
  useEffect(() => {
    takeUploadedPhoto();
    loadMessages().then(() => setReady(true));
    addEventListener("hashchange", refresh);
    addEventListener("provider:signed-out", refresh);
    return () => {
      removeEventListener("hashchange", refresh);
      removeEventListener("provider:signed-out", refresh);
    };
  }, []);
  if (!ready) return null;
  const signedIn = Boolean(providerKey());
  const where = route();
  const onLocale = (value) => chooseLocale(value).then(refresh);
  return html`<header class="bar">
      <a class="brand" href="#/jobs">${t("workbench.provider.title")}</a>
      <span class="spacer"></span>
      <label class="lang">${t("workbench.language")}
        <select data-test="locale" value=${locale()} onChange=${(e) => onLocale(e.target.value)}>
          ${locales().map((l) => html`<option value=${l}>${t(`workbench.locale.${l}`)}</option>`)}
        </select></label>
      ${signedIn && html`<button class="link" data-test="sign-out" onClick=${forgetKey}>${t("workbench.sign_out")}</button>`}
    </header>
    <main class="provider">${!signedIn ? html`<${SignIn} onSignedIn=${() => { location.hash = "#/jobs"; refresh(); }} />`
      : where.name === "job" ? html`<${JobScreen} key=${where.id + locale()} id=${where.id} />`
        : html`<${JobList} key=${locale()} />`}</main>`;
}

render(html`<${App} />`, document.getElementById("app"));
