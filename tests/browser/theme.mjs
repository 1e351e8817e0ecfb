// Checks pages of a built site in headless Chromium, the way readers meet them:
//   node theme.mjs BASE_URL PATH...
// For each path: no console errors, no failed requests, no request outside BASE_URL's origin,
// no script besides JSON-LD (the theme reads fully with JavaScript off; only the search page,
// a path ending in `/search/`, loads its one script), axe-core clean of
// serious and critical violations in the light and the dark scheme, a visible skip link on the
// first Tab, and no horizontal scroll at 320 px. Also reported, for the caller to judge: every
// axe violation of any impact, the headlines a reader sees at 1280x900 without scrolling, and
// the bytes the page loaded.
// Prints one JSON report on stdout; exits 1 when any page has a problem.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { launch } from "./launch.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [base, ...paths] = process.argv.slice(2);
if (!base || paths.length === 0) {
  console.error("usage: node theme.mjs BASE_URL PATH...");
  process.exit(2);
}
const origin = new URL(base).origin;
const BLOCKING = new Set(["serious", "critical"]);

/** axe-core on the loaded page: every violation, with its impact and first targets. */
async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"] }),
  );
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}

async function check(context, path) {
  const url = new URL(path, base).href;
  const report = {
    path,
    console_errors: [],
    failed_requests: [],
    outside_requests: [],
    scripts: 0,
    h1: 0,
    axe: { light: [], dark: [] },
    skip_link_visible: false,
    overflow_320: null,
    headlines_above_fold: 0,
    bytes: 0,
  };
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    // A missing address is served the 404 page with status 404, which Chromium logs; that is
    // the page under test working, not an error of it.
    if (msg.location().url === url && msg.text().startsWith("Failed to load resource")) return;
    report.console_errors.push(msg.text());
  });
  page.on("pageerror", (err) => report.console_errors.push(String(err)));
  page.on("requestfailed", (req) => {
    // Requests this script aborted for leaving the site are reported once, as outside.
    if (new URL(req.url()).origin === origin) {
      report.failed_requests.push(`${req.url()}: ${req.failure()?.errorText}`);
    }
  });
  const bodies = [];
  page.on("response", (res) => {
    // The page under test may be the 404 page itself; anything else must load.
    if (res.status() >= 400 && res.url() !== url) {
      report.failed_requests.push(`${res.url()}: HTTP ${res.status()}`);
    }
    bodies.push(res.body().then((b) => b.length, () => 0));
  });
  await page.route("**/*", (route) => {
    const target = route.request().url();
    if (new URL(target).origin === origin) return route.continue();
    report.outside_requests.push(target);
    return route.abort("blockedbyclient");
  });

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(url, { waitUntil: "load" });
  report.scripts = await page.locator('script:not([type="application/ld+json"])').count();
  // What a reader sees at 1280x900 before scrolling: distinct article headlines wholly inside
  // the viewport (cards, the lead story, the latest-headlines rail).
  report.headlines_above_fold = await page.evaluate(() => {
    const seen = new Set();
    for (const a of document.querySelectorAll("main .card-title a, main .headlines a")) {
      const box = a.getBoundingClientRect();
      if (box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight) seen.add(a.href);
    }
    return seen.size;
  });
  // Every byte the page loaded (HTML, stylesheet, images, script), uncompressed.
  await page.waitForLoadState("networkidle");
  report.bytes = (await Promise.all(bodies)).reduce((sum, n) => sum + n, 0);
  report.h1 = await page.locator("h1").count();

  // The first Tab lands on the skip link, which then shows inside the viewport.
  await page.keyboard.press("Tab");
  report.skip_link_visible = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || !el.classList.contains("skip-link")) return false;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.top >= 0 && box.left >= 0 && box.width > 0 && style.outlineStyle !== "none";
  });
  await page.keyboard.press("Escape");
  await page.evaluate(() => document.activeElement?.blur());

  report.axe.light = await axe(page);
  await page.emulateMedia({ colorScheme: "dark" });
  report.axe.dark = await axe(page);

  await page.setViewportSize({ width: 320, height: 640 });
  await page.emulateMedia({ colorScheme: "light" });
  report.overflow_320 = await page.evaluate(() => {
    const el = document.scrollingElement;
    return { scroll_width: el.scrollWidth, client_width: el.clientWidth };
  });
  await page.close();
  return report;
}

function problems(r) {
  const out = [];
  for (const e of r.console_errors) out.push(`console error: ${e}`);
  for (const e of r.failed_requests) out.push(`failed request: ${e}`);
  for (const e of r.outside_requests) out.push(`request outside the site: ${e}`);
  const allowed = r.path.endsWith("/search/") ? 1 : 0;
  if (r.scripts !== allowed) {
    out.push(`${r.scripts} script element(s) besides JSON-LD (want ${allowed})`);
  }
  if (r.h1 !== 1) out.push(`${r.h1} h1 elements (want 1)`);
  if (!r.skip_link_visible) out.push("the first Tab does not show a focused skip link");
  for (const scheme of ["light", "dark"]) {
    for (const v of r.axe[scheme].filter((v) => BLOCKING.has(v.impact))) {
      out.push(`axe ${scheme} ${v.impact} ${v.id}: ${v.help} (${v.targets.join(", ")})`);
    }
  }
  const o = r.overflow_320;
  if (!o || o.scroll_width > o.client_width) {
    out.push(`horizontal scroll at 320px: scrollWidth ${o?.scroll_width} > ${o?.client_width}`);
  }
  return out;
}

const context = await launch();
const pages = [];
try {
  for (const path of paths) pages.push(await check(context, path));
} finally {
  await context.close();
}
let failed = false;
for (const r of pages) {
  r.problems = problems(r);
  if (r.problems.length) {
    failed = true;
    console.error(`${r.path}:\n  ${r.problems.join("\n  ")}`);
  }
}
console.log(JSON.stringify({ origin, pages }, null, 2));
process.exit(failed ? 1 : 0);
