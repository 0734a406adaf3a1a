// The workbench's only backend: the platform's API on the same origin (API_BASE is set at build
// time, /v1). Every mutating call carries an Idempotency-Key, moves carry If-Match.
import { currentSession, lapsedSession, sessionRefused, whenSignedInAgain } from "./session.js";
import { locale } from "./i18n.js";

// Whose calls these are. The staff workbench's: the staff token, and on a 401 the staff member
// signs in again over the screen (the call is then sent again). Another page of the same build
// (the repair provider's) signs its calls with its own credential: signCallsWith().
const staffToken = {
  headers() {
    const session = currentSession() || lapsedSession();
    return session ? { Authorization: `Bearer ${session.token}` } : {};
  },
  // A 401 (the token ran out or was refused) keeps the screen: the app asks the staff member to
  // sign in again over it, and the call is sent again with the new token (same Idempotency-Key,
  // so a write that did land is not made twice). True: send it again.
  async refused() {
    sessionRefused();
    await whenSignedInAgain();
    return true;
  },
};
let credential = staffToken;

// `other`: { headers() -> the credential's headers, async refused() -> send the call again? }
export function signCallsWith(other) {
  credential = other;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function headersFor(extraHeaders) {
  return { Accept: "application/json", "Accept-Language": locale(), ...credential.headers(), ...extraHeaders };
}

async function renewedAfter401(reply) {
  return reply.status === 401 && credential.refused();
}

async function call(method, path, body, extraHeaders = {}) {
  const headers = headersFor(extraHeaders);
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] ||= crypto.randomUUID();
  }
  const reply = await fetch(API_BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (await renewedAfter401(reply)) return call(method, path, body, { ...extraHeaders, ...idempotencyOf(headers) });
  const text = await reply.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: { message: `HTTP ${reply.status}` } }; // a gateway's non-JSON answer
  }
  if (!reply.ok) throw new ApiError(reply.status, data);
  return data;
}

// A file the API answers (an evidence pack's ZIP): fetched with the caller's token, then saved
// through a same-document blob: link, since a plain link would carry no Authorization header.
export async function download(path, filename) {
  const reply = await fetch(API_BASE + path, { headers: headersFor({ Accept: "*/*" }) });
  if (await renewedAfter401(reply)) return download(path, filename);
  if (!reply.ok) {
    const data = await reply.json().catch(() => ({ error: { message: `HTTP ${reply.status}` } }));
    throw new ApiError(reply.status, data);
  }
  const url = URL.createObjectURL(await reply.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const idempotencyOf = (headers) => (headers["Idempotency-Key"] ? { "Idempotency-Key": headers["Idempotency-Key"] } : {});

export const get = (path) => call("GET", path);
export const post = (path, body, headers) => call("POST", path, body, headers);

// A read that may legitimately be missing (a ticket without a review answers 404): null, not an error.
export async function getOptional(path) {
  try {
    return await get(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export const query = (params) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null));
  const s = q.toString();
  return s ? `?${s}` : "";
};
