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

function claimsSession(token) {
  const claims = token && claimsOf(token);
  if (!claims || claims.typ !== "staff" || !Array.isArray(claims.roles)) return null;
  return { token, userId: claims.sub, tenantId: claims.tid, roles: claims.roles, expiresAt: claims.exp * 1000 };
}

const lapsed = (session) => session && Number.isFinite(session.expiresAt) && session.expiresAt <= Date.now();
// Set when the API refused the token (401) before its own expiry time: it is no good either.
let refused = false;
let renewed = [];

export function sessionFrom(token) {
  const session = claimsSession(token);
  return session && !lapsed(session) ? session : null;
}

export function currentSession() {
  return refused ? null : sessionFrom(sessionStorage.getItem(KEY));
}

// The session whose token has run out (or that the API refused) while the tab was open: the screen
// stays, and the staff member signs in again over it (a token of the same user carries on; calls
// that met the 401 wait for it and are sent again).
export function lapsedSession() {
  const session = claimsSession(sessionStorage.getItem(KEY));
  return session && (refused || lapsed(session)) ? session : null;
}

export function sessionRefused() {
  refused = true;
  dispatchEvent(new Event("workbench:session-lapsed"));
}

export function whenSignedInAgain() {
  return new Promise((resolve) => renewed.push(resolve));
}

export function signIn(token) {
  const session = sessionFrom(token.trim());
  if (session) {
    sessionStorage.setItem(KEY, session.token);
    refused = false;
    const waiting = renewed;
    renewed = [];
    waiting.forEach((resolve) => resolve(session));
  }
  return session;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  refused = false;
  renewed = [];
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

// The roles the arbitration routes serve (GET /disputes, the arbitrator's actions).
export const ARBITERS = ["arbitrator", "admin"];
// The money roles: GET /refunds, and a repair charge waived or paid (POST /repairs/jobs/{id}/charge/*).
export const MONEY = ["finance", "supervisor", "admin"];
