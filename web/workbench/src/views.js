// Saved views of the queue: named sets of filters, kept per staff user in this browser's
// localStorage (docs/decisions.md, 2026-12-03): they hold filters only, never ticket data, and the
// API stays the only backend. The key names tenant and user, so two people on one browser keep
// their own views.
const keyOf = (session) => `workbench.views.${session.tenantId}.${session.userId}`;

export function savedViews(session) {
  try {
    const views = JSON.parse(localStorage.getItem(keyOf(session)) || "[]");
    return Array.isArray(views) ? views.filter((v) => v && typeof v.name === "string" && v.filters) : [];
  } catch {
    return [];
  }
}

export function saveView(session, name, filters) {
  const views = savedViews(session).filter((v) => v.name !== name);
  views.push({ name, filters });
  views.sort((a, b) => a.name.localeCompare(b.name));
  localStorage.setItem(keyOf(session), JSON.stringify(views));
  return views;
}

export function deleteView(session, name) {
  const views = savedViews(session).filter((v) => v.name !== name);
  localStorage.setItem(keyOf(session), JSON.stringify(views));
  return views;
}
