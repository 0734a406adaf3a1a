// A repair job as its provider sees it (GET /repairs/jobs/{id}): the visit's window, what was done,
// and a form for each move the job's state allows this key (the API's `next`, `permitted`). A
// refused move shows the API's own message (409 with the allowed moves, 422 with the fields).
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";
import { get, post } from "./api.js";
import { dateTime, label, money, t } from "./i18n.js";
import { Failure, useLoad } from "./widgets.js";
import { forgetPhotos, photosOf, returnUrl, uploading } from "./provider_photos.js";

export const windowText = (w) => (w ? `${dateTime(w.start)} – ${dateTime(w.end)}` : "");

// The API's refusal: its message, and the fields a 422 names.
function Refusal({ error }) {
  if (!error) return null;
  const fields = error.body?.error?.fields || [];
  return html`<div class="error" role="alert" data-test="refusal"><p>${error.message}</p>
    ${fields.length > 0 && html`<ul>${fields.map((f) => html`<li><code>${f.path}</code> ${f.message}</li>`)}</ul>`}</div>`;
}

// One move: a titled card whose form posts `body()` to the job's `path` with the job's version.
function Move({ job, name, path, body, onDone, danger, children }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const changed = await post(`/repairs/jobs/${encodeURIComponent(job.job_id)}/${path}`, body ? body() : {},
        { "If-Match": `"${job.version}"` });
      onDone(changed, name);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="card move stack" data-move=${name} onSubmit=${submit}>
    <h2>${t(`workbench.provider.move.${name}`)}</h2>
    ${children}
    <${Refusal} error=${error} />
    <button type="submit" class=${danger ? "danger" : ""} disabled=${busy} data-test=${`do-${name}`}>
      ${t(`workbench.provider.move.${name}`)}</button>
  </form>`;
}

const field = (id, text, input) => html`<label for=${id}>${text}</label>${input}`;

function useText(initial = "") {
  const [value, setValue] = useState(initial);
  return [value, (e) => setValue(e.target.value)];
}

// A window from a date and two local times, sent as UTC instants (the API takes any offset).
function WindowFields({ prefix, state }) {
  const [value, setValue] = state;
  const set = (k) => (e) => setValue({ ...value, [k]: e.target.value });
  return html`<div class="row">
    ${field(`${prefix}-date`, t("workbench.provider.window.date"), html`<input id=${`${prefix}-date`} type="date" required
      data-test="window-date" value=${value.date} onInput=${set("date")} />`)}
    ${field(`${prefix}-from`, t("workbench.provider.window.from"), html`<input id=${`${prefix}-from`} type="time" required
      data-test="window-from" value=${value.from} onInput=${set("from")} />`)}
    ${field(`${prefix}-to`, t("workbench.provider.window.to"), html`<input id=${`${prefix}-to`} type="time" required
      data-test="window-to" value=${value.to} onInput=${set("to")} />`)}</div>`;
}

const windowOf = ({ date, from, to }) => ({ start: new Date(`${date}T${from}`).toISOString(),
  end: new Date(`${date}T${to}`).toISOString() });

// Minor units from what was typed in the job's currency (its own exponent: CNY 2, JPY 0).
function minor(text, currency) {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  const value = Number(String(text).replace(",", "."));
  return { amount: Number.isFinite(value) ? Math.round(value * 10 ** digits) : NaN, currency };
}

function Decline(props) {
  const [reason, onReason] = useText();
  return html`<${Move} ...${props} name="decline" path="decline" danger body=${() => ({ reason })}>
    ${field("decline-reason", t("workbench.provider.reason"), html`<textarea id="decline-reason" rows="2" required
      data-test="reason" value=${reason} onInput=${onReason}></textarea>`)}<//>`;
}

function Book(props) {
  const state = useState({ date: "", from: "09:00", to: "11:00" });
  return html`<${Move} ...${props} name="book" path="appointment" body=${() => ({ window: windowOf(state[0]) })}>
    <${WindowFields} prefix="book" state=${state} /><//>`;
}

function Reschedule(props) {
  const state = useState({ date: "", from: "09:00", to: "11:00" });
  const [reason, onReason] = useText();
  return html`<${Move} ...${props} name="reschedule" path="appointment/reschedule"
    body=${() => ({ window: windowOf(state[0]), reason })}>
    <${WindowFields} prefix="reschedule" state=${state} />
    ${field("reschedule-reason", t("workbench.provider.reason"), html`<textarea id="reschedule-reason" rows="2" required
      value=${reason} onInput=${onReason}></textarea>`)}<//>`;
}

// The photo input opens the phone's camera; choosing a picture asks the API for an upload grant
// and posts the form (the grant's fields, then the file) to S3, which sends the browser back here.
function CheckIn(props) {
  const { job } = props;
  const form = useRef(null);
  const [grant, setGrant] = useState(null);
  const [error, setError] = useState(null);
  const photos = photosOf(job.job_id);
  useEffect(() => { if (grant) form.current.submit(); }, [grant]);
  const chosen = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    setError(null);
    try {
      const granted = await post(`/repairs/jobs/${encodeURIComponent(job.job_id)}/photos`,
        { content_type: file.type || "image/jpeg", size: file.size, redirect: returnUrl() });
      uploading(job.job_id, granted.media_id);
      setGrant(granted);
    } catch (err) {
      setError(err);
    }
  };
  const done = (changed, name) => { forgetPhotos(job.job_id); props.onDone(changed, name); };
  return html`<form ref=${form} class="card stack" method="post" enctype="multipart/form-data"
      action=${grant ? grant.upload.url : undefined} data-test="photo-form">
      <h2>${t("workbench.provider.photo.title")}</h2>
      <div>${grant && Object.entries(grant.upload.fields).map(([name, value]) => html`<input type="hidden" name=${name} value=${value} />`)}</div>
      ${field("photo", t("workbench.provider.photo.choose"), html`<input id="photo" key="photo" name="file" type="file"
        accept="image/jpeg,image/png,image/webp,image/heic" capture="environment" data-test="photo" onChange=${chosen} />`)}
      ${grant && html`<p class="muted" role="status">${t("workbench.provider.photo.sending")}</p>`}
      <${Refusal} error=${error} />
      <p data-test="photos">${t("workbench.provider.photo.count", { count: photos.length })}</p>
    </form>
    <${Move} ...${props} onDone=${done} name="check_in" path="check-in" body=${() => ({ media_ids: photos })} />`;
}

function Diagnose(props) {
  const { currency } = props.job;
  const [fault, onFault] = useText();
  const [coverage, onCoverage] = useText("warranty");
  const [labour, onLabour] = useText("0");
  const [estimate, onEstimate] = useText("0");
  const [note, onNote] = useText();
  return html`<${Move} ...${props} name="diagnose" path="diagnosis" body=${() => ({ fault_code: fault, coverage,
    labour: minor(labour, currency), parts_estimate: minor(estimate, currency), note: note || null })}>
    ${field("fault", t("workbench.provider.diagnosis.fault"), html`<input id="fault" required value=${fault} onInput=${onFault} />`)}
    ${field("coverage", t("workbench.provider.diagnosis.coverage"), html`<select id="coverage" value=${coverage} onChange=${onCoverage}>
      ${["warranty", "paid"].map((c) => html`<option value=${c}>${t(`workbench.provider.coverage.${c}`)}</option>`)}</select>`)}
    ${field("labour", `${t("workbench.provider.diagnosis.labour")} (${currency})`, html`<input id="labour" inputmode="decimal"
      required value=${labour} onInput=${onLabour} />`)}
    ${field("estimate", `${t("workbench.provider.diagnosis.parts_estimate")} (${currency})`, html`<input id="estimate"
      inputmode="decimal" required value=${estimate} onInput=${onEstimate} />`)}
    ${field("diagnosis-note", t("workbench.provider.note"), html`<textarea id="diagnosis-note" rows="2" value=${note} onInput=${onNote}></textarea>`)}<//>`;
}

// A part fitted: from the catalogue's parts that fit the job's products, with the new part's
// serial and batch and the serial of the part taken out.
function Parts(props) {
  const { job } = props;
  const catalogue = useLoad(() => get("/repairs/parts"), []);
  const fits = (catalogue.data?.items || []).filter((p) => !p.compatible_skus.length
    || p.compatible_skus.some((s) => job.skus.includes(s)));
  const [part, onPart] = useText();
  const [serial, onSerial] = useText();
  const [batch, onBatch] = useText();
  const [removed, onRemoved] = useText();
  const chosen = part || fits[0]?.part_number || "";
  const body = () => ({ part_number: chosen, serial: serial.trim() || null, batch: batch.trim() || null,
    removed_serial: removed.trim() || null });
  return html`<${Move} ...${props} name="record_part" path="parts" body=${body}>
    <${Failure} error=${catalogue.error} />
    ${field("part", t("workbench.provider.part.number"), html`<select id="part" data-test="part" required value=${chosen} onChange=${onPart}>
      ${fits.map((p) => html`<option value=${p.part_number}>${p.part_number} · ${p.name}</option>`)}</select>`)}
    ${field("serial", t("workbench.provider.part.serial"), html`<input id="serial" data-test="serial" autocomplete="off"
      value=${serial} onInput=${onSerial} />`)}
    ${field("batch", t("workbench.provider.part.batch"), html`<input id="batch" data-test="batch" autocomplete="off"
      value=${batch} onInput=${onBatch} />`)}
    ${field("removed", t("workbench.provider.part.removed_serial"), html`<input id="removed" data-test="removed-serial"
      autocomplete="off" value=${removed} onInput=${onRemoved} />`)}<//>`;
}

function Repaired(props) {
  const [note, onNote] = useText();
  return html`<${Move} ...${props} name="repaired" path="repaired" body=${() => ({ note: note || null })}>
    ${field("repaired-note", t("workbench.provider.note"), html`<textarea id="repaired-note" rows="2" value=${note} onInput=${onNote}></textarea>`)}<//>`;
}

function NotRepairable(props) {
  const [reason, onReason] = useText();
  return html`<${Move} ...${props} name="not_repairable" path="not-repairable" danger body=${() => ({ reason })}>
    ${field("nr-reason", t("workbench.provider.reason"), html`<textarea id="nr-reason" rows="2" required value=${reason}
      onInput=${onReason}></textarea>`)}<//>`;
}

function Confirm(props) {
  const [code, onCode] = useText();
  return html`<${Move} ...${props} name="confirm" path="confirmation" body=${() => ({ code: code.trim() })}>
    ${field("code", t("workbench.provider.code"), html`<input id="code" data-test="code" inputmode="numeric" pattern="[0-9]{6}"
      maxlength="6" autocomplete="one-time-code" required value=${code} onInput=${onCode} />`)}<//>`;
}

// The job's moves in the transition table's events -> the form for it (the moves the page offers).
const MOVES = [
  ["repair.accepted", (p) => html`<${Move} ...${p} name="accept" path="accept" />`],
  ["repair.declined", (p) => html`<${Decline} ...${p} />`],
  ["repair.appointment_booked", (p) => html`<${Book} ...${p} />`],
  ["repair.on_the_way", (p) => html`<${Move} ...${p} name="on_the_way" path="on-the-way" />`],
  ["repair.checked_in", (p) => html`<${CheckIn} ...${p} />`],
  ["repair.part_recorded", (p) => html`<${Parts} ...${p} />`],
  ["repair.diagnosed", (p) => html`<${Diagnose} ...${p} />`],
  ["repair.repaired", (p) => html`<${Repaired} ...${p} />`],
  ["repair.not_repairable", (p) => html`<${NotRepairable} ...${p} />`],
  ["repair.customer_confirmed", (p) => html`<${Confirm} ...${p} />`],
  ["repair.appointment_rescheduled", (p) => html`<${Reschedule} ...${p} />`],
  ["repair.closed", (p) => html`<${Move} ...${p} name="close" path="close" />`],
];

function Facts({ job }) {
  const visit = job.appointment;
  const row = (name, value) => value && html`<div><dt>${t(`workbench.provider.fact.${name}`)}</dt><dd data-fact=${name}>${value}</dd></div>`;
  return html`<dl class="facts-list">
    ${row("status", label("workbench.provider.status", job.status))}
    ${row("products", job.skus.join(", "))}
    ${row("ticket", job.ticket_id)}
    ${row("window", visit && windowText(visit.window))}
    ${row("address", t("workbench.provider.address_not_shared"))}
    ${row("technician", visit?.technician_id)}
    ${row("on_the_way", visit?.on_the_way_at && dateTime(visit.on_the_way_at))}
    ${row("checked_in", job.check_in && `${dateTime(job.check_in.at)} · ${t("workbench.provider.photo.count", { count: job.check_in.media_ids.length })}`)}
    ${row("diagnosis", job.diagnosis && `${job.diagnosis.fault_code} · ${t(`workbench.provider.coverage.${job.diagnosis.coverage}`)}`)}
    ${row("costs", job.parts.length > 0 && money(job.costs.total))}
  </dl>
  ${job.parts.length > 0 && html`<ul class="parts" data-test="parts">${job.parts.map((p) => html`<li>
    <strong>${p.part_number}</strong> ×${p.quantity}${p.serial && html` · ${t("workbench.provider.part.serial")} <code>${p.serial}</code>`}
    ${p.batch && html` · ${t("workbench.provider.part.batch")} <code>${p.batch}</code>`}
    ${p.removed_serial && html` · ${t("workbench.provider.part.removed_serial")} <code>${p.removed_serial}</code>`}</li>`)}</ul>`}`;
}

export function JobScreen({ id }) {
  const loaded = useLoad(() => get(`/repairs/jobs/${encodeURIComponent(id)}`), [id]);
  const [job, setJob] = useState(null);
  const [done, setDone] = useState(null);
  const shown = job || loaded.data;
  if (loaded.error) return html`<p><a href="#/jobs">${t("workbench.provider.back")}</a></p><${Failure} error=${loaded.error} />`;
  if (!shown) return html`<p class="muted">…</p>`;
  const permitted = new Set(shown.next.filter((m) => m.permitted).map((m) => m.event));
  const onDone = (changed, name) => { setJob(changed); setDone(name); };
  const moves = MOVES.filter(([event]) => permitted.has(event));
  return html`<p><a href="#/jobs" data-test="back">${t("workbench.provider.back")}</a></p>
    <h1>${t("workbench.provider.job.title")} <small>${shown.job_id}</small></h1>
    ${done && html`<p class="ok" role="status" data-test="done">${t(`workbench.provider.done.${done}`)}</p>`}
    <section class="card"><${Facts} job=${shown} /></section>
    ${moves.length ? moves.map(([event, form]) => html`<div key=${`${event}-${shown.version}`}>${form({ job: shown, onDone })}</div>`)
      : html`<p class="muted" data-test="no-moves">${t("workbench.provider.no_moves")}</p>`}`;
}
