// The signed-in staff member: their platform staff token (a JWT minted for registered staff) kept
// in sessionStorage, so it is gone when the tab closes. The claims are read only to decide what
// to show; the API verifies the token on every call and enforces every role itself.
const KEY = "workbench.token";

function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = part + "=".repeat((4 - (part.length % 4)) % 4);
    const text = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function sessionFrom(token) {
  const claims = token && claimsOf(token);
  if (!claims || claims.typ !== "staff" || !Array.isArray(claims.roles)) return null;
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) return null;
  return { token, userId: claims.sub, tenantId: claims.tid, roles: claims.roles, expiresAt: claims.exp * 1000 };
}

export function currentSession() {
  return sessionFrom(sessionStorage.getItem(KEY));
}

export function signIn(token) {
  const session = sessionFrom(token.trim());
  if (session) sessionStorage.setItem(KEY, session.token);
  return session;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

// A one-click sign-in link (`make run` prints one per demo role) carries the token in the URL's
// fragment, which browsers never send to a server; it is moved to sessionStorage and erased.
export function takeTokenFromLink() {
  const match = location.hash.match(/^#token=([^&]+)/);
  if (!match) return;
  signIn(decodeURIComponent(match[1]));
  history.replaceState(null, "", location.pathname + location.search + "#/queue");
}

export const hasRole = (session, ...roles) => roles.some((r) => session.roles.includes(r));
