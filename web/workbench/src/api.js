// The workbench's only backend: the platform's API on the same origin (API_BASE is set at build
// time, /v1). Every mutating call carries an Idempotency-Key, moves carry If-Match.
import { currentSession, signOut } from "./session.js";
import { locale } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, body, extraHeaders = {}) {
  const session = currentSession();
  const headers = { Accept: "application/json", "Accept-Language": locale(), ...extraHeaders };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = crypto.randomUUID();
  }
  const reply = await fetch(API_BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await reply.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: { message: `HTTP ${reply.status}` } }; // a gateway's non-JSON answer
  }
  if (reply.status === 401) {
    signOut();
    location.hash = "#/sign-in";
  }
  if (!reply.ok) throw new ApiError(reply.status, data);
  return data;
}

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
