// Builds the workbench into the folder given (make workbench: build/workbench/): one bundled,
// minified ES module (Preact + htm + the app), its stylesheet and the shell page. No CDN: every
// byte the page loads comes from this folder or the API on the same origin.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, statSync } from "node:fs";
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
await build({
  entryPoints: { app: join(here, "src", "main.js") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outdir: out,
  legalComments: "linked",
  define: { API_BASE: JSON.stringify(apiBase) },
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(out, "index.html"));
const size = ["app.js", "app.css"].reduce((sum, f) => sum + statSync(join(out, f)).size, 0);
console.log(`workbench built into ${out} (${(size / 1024).toFixed(1)} KiB of script and style)`);
