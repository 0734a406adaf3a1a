// A ticket type's state diagram drawn as SVG from its transition table
// (GET /ticket-types/{type}/transitions): states in columns by their distance from the initial
// state, every transition an arrow, the ticket's current state filled and the moves open to the
// caller now drawn bold. Colours come from the stylesheet (classes), never style attributes (CSP).
import { html } from "./html.js";
import { t } from "./i18n.js";

const W = 150; // column width
const NODE_W = 124;
const NODE_H = 34;
const ROW = 52;

// Columns by breadth-first distance from the initial state; states it never reaches go last.
export function layout(table) {
  const out = new Map();
  for (const tr of table.transitions) (out.get(tr.from) || out.set(tr.from, []).get(tr.from)).push(tr.to);
  const depth = new Map([[table.initial, 0]]);
  const queue = [table.initial];
  while (queue.length) {
    const s = queue.shift();
    for (const next of out.get(s) || []) {
      if (!depth.has(next)) { depth.set(next, depth.get(s) + 1); queue.push(next); }
    }
  }
  const all = [...new Set(table.transitions.flatMap((tr) => [tr.from, tr.to]))];
  const last = Math.max(0, ...depth.values()) + 1;
  for (const s of all) if (!depth.has(s)) depth.set(s, last);
  const columns = [];
  for (const s of all) (columns[depth.get(s)] ||= []).push(s);
  const place = new Map();
  columns.forEach((states, c) => states.forEach((s, r) => place.set(s, { x: 8 + c * W, y: 8 + r * ROW })));
  const rows = Math.max(...columns.filter(Boolean).map((col) => col.length));
  return { place, width: 16 + columns.length * W - (W - NODE_W), height: 16 + rows * ROW - (ROW - NODE_H) };
}

function edgePath(a, b) {
  const [x1, y1] = [a.x + NODE_W, a.y + NODE_H / 2];
  const [x2, y2] = [b.x, b.y + NODE_H / 2];
  if (b.x > a.x) { // forward: a curve between the columns
    const mid = (x1 + x2) / 2;
    return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
  }
  // back or same column: out of the bottom of the source, into the bottom of the target
  const [sx, sy, tx, ty] = [a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2 + 6, b.y + NODE_H];
  const dip = Math.max(sy, ty) + 18;
  return `M${sx},${sy} C${sx},${dip} ${tx},${dip} ${tx},${ty}`;
}

export function StateDiagram({ table, current, open }) {
  const { place, width, height } = layout(table);
  const labels = new Map(table.transitions.flatMap((tr) => [[tr.from, tr.from_label], [tr.to, tr.to_label]]));
  const nowOpen = new Set(open);
  const edges = [...new Map(table.transitions.map((tr) => [`${tr.from}>${tr.to}`, tr])).values()];
  return html`<figure class="diagram" data-test="state-diagram">
    <svg viewBox=${`0 0 ${width} ${height + 24}`} width=${width} role="img"
      aria-label=${t("workbench.diagram.label", { status: labels.get(current) || current })}>
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path d="M0,0 L10,5 L0,10 z" class="arrow-head" /></marker></defs>
      ${edges.map((tr) => html`<path d=${edgePath(place.get(tr.from), place.get(tr.to))} marker-end="url(#arrow)"
        class=${tr.from === current && nowOpen.has(tr.to) ? "edge open" : "edge"} data-edge=${`${tr.from}>${tr.to}`} />`)}
      ${[...place].map(([state, p]) => html`<g class=${state === current ? "node current" : nowOpen.has(state) ? "node next" : "node"}
        data-state=${state} aria-current=${state === current ? "step" : undefined}>
        <rect x=${p.x} y=${p.y} width=${NODE_W} height=${NODE_H} rx="6" />
        <text x=${p.x + NODE_W / 2} y=${p.y + NODE_H / 2 + 4} text-anchor="middle">${labels.get(state) || state}</text>
        <title>${labels.get(state) || state}</title></g>`)}
    </svg>
    <figcaption class="muted">${t("workbench.diagram.legend")}</figcaption>
  </figure>`;
}
