// Drives the search page like a reader: the first query is typed into the masthead search box
// of START_URL and submitted; every further query is typed, key by key, into the search page's
// own field. Prints JSON: for each query, the status line and the results (title, href, tags),
// plus whether the "needs JavaScript" notice was hidden, the address after the first search, the
// layout shift of the search page while it loaded its index and showed the first results, and
// the axe-core accessibility violations of the page showing the first results.
//
// Usage: node search.mjs START_URL QUERY [QUERY...]
import { createRequire } from "node:module";
import { launch } from "./launch.mjs";

const require = createRequire(import.meta.url);

const [start, ...queries] = process.argv.slice(2);
if (!start || !queries.length) {
  console.error("usage: node search.mjs START_URL QUERY [QUERY...]");
  process.exit(2);
}

async function results(page, query) {
  // The status line changes on every search; wait until it names this query.
  await page.waitForFunction(
    (q) => (document.getElementById("search-status").textContent || "").includes("\u201c" + q + "\u201d"),
    query.trim(),
    { timeout: 10000 },
  );
  return page.evaluate(() => ({
    status: document.getElementById("search-status").textContent,
    results: Array.from(document.querySelectorAll("#search-results > li")).map((li) => ({
      title: li.querySelector("h2 a").textContent,
      href: li.querySelector("h2 a").getAttribute("href"),
      tags: Array.from(li.querySelectorAll(".tags a")).map((a) => a.textContent),
    })),
  }));
}

const context = await launch();
try {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // Layout shifts not caused by the reader's input, summed as Lighthouse's CLS sums them.
  await page.addInitScript(() => {
    window.__layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) window.__layoutShift += entry.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(start);
  const box = page.locator("form.site-search input[name=q]");
  await box.fill(queries[0]);
  await box.press("Enter");
  await page.waitForSelector("form[data-ready]", { timeout: 10000 });
  const out = { searches: [] };
  out.searches.push({ query: queries[0], ...(await results(page, queries[0])) });
  out.address = page.url();
  out.noticeHidden = await page.locator("#search-needs-js").isHidden();
  out.layoutShift = await page.evaluate(() => window.__layoutShift);
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  out.axe = await page.evaluate(async () => {
    const result = await window.axe.run(document);
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  for (const query of queries.slice(1)) {
    const field = page.locator("#search-query");
    await field.fill("");
    await field.pressSequentially(query);
    out.searches.push({ query, ...(await results(page, query)) });
  }
  out.errors = errors;
  console.log(JSON.stringify(out));
} finally {
  await context.close();
}
