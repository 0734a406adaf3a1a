// A ticket's SLA state from GET /tickets/{id}/deadlines: the open, running deadline due first
// decides. ok before its first reminder, warning (amber) from the reminder, breached (red) once
// due or once the platform recorded the breach; paused clocks and completed ones do not count.
export const SLA_STATES = ["none", "ok", "warning", "breached", "paused"];

export function slaOf(deadlines, now = Date.now()) {
  const open = (deadlines || []).filter((d) => !d.completed_at);
  const running = open.filter((d) => !d.paused && d.due_at);
  if (!running.length) {
    return open.length ? { state: "paused", dueAt: null, metric: open[0].metric } : { state: "none", dueAt: null };
  }
  const next = running.reduce((a, b) => (Date.parse(a.due_at) <= Date.parse(b.due_at) ? a : b));
  const due = Date.parse(next.due_at);
  const reminders = (next.reminder_at || []).map(Date.parse);
  let state = "ok";
  if (next.breached || next.breached_at || now >= due) state = "breached";
  else if (reminders.some((r) => now >= r)) state = "warning";
  return { state, dueAt: due, metric: next.metric };
}
