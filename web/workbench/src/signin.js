import { useState } from "preact/hooks";
import { html } from "./html.js";
import { signIn } from "./session.js";
import { t } from "./i18n.js";

// Staff sign in with the credential the platform issues them: a staff token (minted for a
// registered staff user by the tenant's sign-in bridge or an admin, POST /auth/staff-tokens).
export function SignIn({ onSignedIn, lapsed }) {
  const [token, setToken] = useState("");
  const [refused, setRefused] = useState(false);
  const submit = (e) => {
    e.preventDefault();
    const session = signIn(token);
    if (session) onSignedIn(session);
    else setRefused(true);
  };
  return html`<section class="card narrow">
    <h1>${t(lapsed ? "workbench.session.lapsed_title" : "workbench.sign_in.title")}</h1>
    ${lapsed && html`<p data-test="lapsed">${t("workbench.session.lapsed_help", { user: lapsed.userId })}</p>`}
    <p>${t("workbench.sign_in.help")}</p>
    <form onSubmit=${submit}>
      <label for="token">${t("workbench.sign_in.token")}</label>
      <textarea id="token" data-test="token" rows="4" value=${token} onInput=${(e) => setToken(e.target.value)}></textarea>
      ${refused && html`<p class="error" role="alert">${t("workbench.sign_in.refused")}</p>`}
      <button type="submit" data-test="sign-in">${t("workbench.sign_in.submit")}</button>
    </form>
  </section>`;
}

// The session ran out (or the API refused its token) while a screen was open: sign in again over
// the screen, which stays as it was (typed text, loaded pages, the place in the app). A token of
// another person starts over from the queue, since the screen shows what the first one could see.
export function Renew({ lapsed, onRenewed }) {
  const renewed = (session) => {
    if (session.userId !== lapsed.userId || session.tenantId !== lapsed.tenantId) {
      location.hash = "#/queue";
      location.reload();
      return;
    }
    onRenewed();
  };
  return html`<div class="overlay" role="dialog" aria-modal="true" data-test="renew">
    <${SignIn} lapsed=${lapsed} onSignedIn=${renewed} /></div>`;
}
