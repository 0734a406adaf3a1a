// Builds the workbench into the folder given (make workbench: build/workbench/): one bundled,
// minified ES module (Preact + htm + the app) with the chart screens split into chunks, its stylesheet and the shell page. No CDN: every
// byte the page loads comes from this folder or the API on the same origin. The repair provider's
// page (provider.html: provider.js, provider.css) is a second entry of the same build, sharing its
// helpers through the same chunks.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
const apiBase = process.argv[3] || "/v1";
if (!out) {
  console.error("usage: node web/workbench/build.mjs <output folder> [api base path]");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
rmSync(join(out, "chunks"), { recursive: true, force: true }); // no stale hashed chunks
await build({
  entryPoints: { app: join(here, "src", "main.js"), provider: join(here, "src", "provider.js") },
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true, // the chart screens (ECharts) are a chunk of their own, loaded when first opened
  chunkNames: "chunks/[name]-[hash]",
  target: ["es2020"],
  outdir: out,
  legalComments: "linked",
  define: { API_BASE: JSON.stringify(apiBase) },
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(out, "index.html"));
copyFileSync(join(here, "provider.html"), join(out, "provider.html"));
const kib = (files) => (files.reduce((sum, f) => sum + statSync(join(out, f)).size, 0) / 1024).toFixed(1);
const chunks = existsSync(join(out, "chunks")) ? readdirSync(join(out, "chunks")).filter((f) => f.endsWith(".js")) : [];
// chunk-*: code app.js and the chart screens share (Preact and the app's helpers), loaded with app.js
const shared = chunks.filter((f) => f.startsWith("chunk-")).map((f) => join("chunks", f));
const charts = chunks.filter((f) => !f.startsWith("chunk-")).map((f) => join("chunks", f));
console.log(`workbench built into ${out} (${kib(["app.js", "app.css", ...shared])} KiB of script and style at first load, `
  + `${kib(charts)} KiB more when a chart screen first opens; the provider page `
  + `${kib(["provider.js", "provider.css", ...shared])} KiB)`);
