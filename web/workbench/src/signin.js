import { useState } from "preact/hooks";
import { html } from "./html.js";
import { signIn } from "./session.js";
import { t } from "./i18n.js";

// Staff sign in with the credential the platform issues them: a staff token (minted for a
// registered staff user by the tenant's sign-in bridge or an admin, POST /auth/staff-tokens).
export function SignIn({ onSignedIn }) {
  const [token, setToken] = useState("");
  const [refused, setRefused] = useState(false);
  const submit = (e) => {
    e.preventDefault();
    if (signIn(token)) onSignedIn();
    else setRefused(true);
  };
  return html`<section class="card narrow">
    <h1>${t("workbench.sign_in.title")}</h1>
    <p>${t("workbench.sign_in.help")}</p>
    <form onSubmit=${submit}>
      <label for="token">${t("workbench.sign_in.token")}</label>
      <textarea id="token" data-test="token" rows="4" value=${token} onInput=${(e) => setToken(e.target.value)}></textarea>
      ${refused && html`<p class="error" role="alert">${t("workbench.sign_in.refused")}</p>`}
      <button type="submit" data-test="sign-in">${t("workbench.sign_in.submit")}</button>
    </form>
  </section>`;
}
