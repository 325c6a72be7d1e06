// The front-end build (`make assets`): writes build/ (never committed), served under /static/dist/.
//   icons.svg  the SVG sprite of only the icons the templates name ({% icon "name" %}, icon_name("name"))
//   app.css    Bootstrap purged of every rule no template, script or Python source uses, then hlgrid.css
//   sw.js      the service worker (Workbox generateSW), served at /sw.js by hlgrid.pwa
// Run from the repository root: node frontend/build.mjs [--no-sw]
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { PurgeCSS } from "purgecss";

const ROOT = process.cwd();
const OUT = join(ROOT, "build");
const SKIP = new Set(["node_modules", ".venv", "staticfiles", "build", "var", ".git", "__pycache__", "locale", "migrations"]);

function walk(dir, accept, found = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) walk(path, accept, found);
    else if (accept(path)) found.push(path);
  }
  return found;
}

const templates = walk(ROOT, (p) => p.endsWith(".html") && p.includes("/templates/"));
const pythons = walk(ROOT, (p) => p.endsWith(".py") && !relative(ROOT, p).startsWith("tests/"));
const scripts = walk(ROOT, (p) => p.endsWith(".js") && p.includes("/static/"));

// --- the sprite -------------------------------------------------------------------------------
const names = new Set();
for (const file of templates) {
  for (const m of readFileSync(file, "utf8").matchAll(/\{%\s*icon\s+["']([a-z0-9-]+)["']/g)) names.add(m[1]);
}
for (const file of pythons) {
  for (const m of readFileSync(file, "utf8").matchAll(/icon_name\(\s*["']([a-z0-9-]+)["']\s*\)/g)) names.add(m[1]);
}
const ICONS = join(ROOT, "node_modules", "bootstrap-icons", "icons");
const symbols = [];
const missing = [];
for (const name of [...names].sort()) {
  const path = join(ICONS, `${name}.svg`);
  if (!existsSync(path)) {
    missing.push(name);
    continue;
  }
  const svg = readFileSync(path, "utf8");
  const viewBox = /viewBox="([^"]+)"/.exec(svg)[1];
  const inner = svg.replace(/^[\s\S]*?<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "").trim();
  symbols.push(`<symbol id="${name}" viewBox="${viewBox}">${inner}</symbol>`);
}
if (missing.length) {
  console.error(`unknown icons (not in bootstrap-icons): ${missing.join(", ")}`);
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
writeFileSync(
  join(OUT, "icons.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg"><defs>${symbols.join("")}</defs></svg>\n`,
);

// --- the stylesheet ---------------------------------------------------------------------------
const bootstrap = join(ROOT, "node_modules", "bootstrap", "dist", "css", "bootstrap.min.css");
const [purged] = await new PurgeCSS().purge({
  content: [...templates, ...pythons, ...scripts],
  css: [bootstrap],
  // Classes that Bootstrap's and htmx's scripts add, and the prefixes templates compose
  // ("alert-{{ message.tags }}", "text-bg-{{ colour }}").
  safelist: {
    standard: ["show", "showing", "hiding", "collapsing", "collapsed", "fade", "active", "disabled", "was-validated", "modal-open"],
    greedy: [/^modal/, /^dropdown/, /^tooltip/, /^popover/, /^offcanvas/, /^toast/, /^is-(in)?valid/, /^alert-/, /^text-bg-/, /^btn-close/, /^htmx-/, /^bs-/],
  },
  fontFace: false,
  keyframes: true,
});
const own = readFileSync(join(ROOT, "static", "css", "hlgrid.css"), "utf8");
const iconRule = ".hl-icon{display:inline-block;width:1em;height:1em;vertical-align:-.125em;fill:currentColor;overflow:visible}\n";
writeFileSync(join(OUT, "app.css"), `${purged.css.replace(/\/\*# sourceMappingURL=.*\*\//, "")}\n${iconRule}${own}`);

console.log(`build/icons.svg: ${symbols.length} icons; build/app.css: ${Math.round((purged.css.length + own.length) / 1024)} KB (from ${Math.round(statSync(bootstrap).size / 1024)} KB)`);

// --- the service worker -----------------------------------------------------------------------
if (!process.argv.includes("--no-sw")) {
  const { buildServiceWorker } = await import("./sw.mjs");
  await buildServiceWorker(OUT);
}
