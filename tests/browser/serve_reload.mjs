// Live reload in a real tab: node serve_reload.mjs URL FILE GOOD1 BROKEN GOOD2
// Opens URL (served by `gazette serve`), then writes each given Markdown text to FILE in turn:
// after GOOD1 the same tab must show "first edit" by itself; after BROKEN it must keep the page
// and show the error overlay (a second tab opened then shows it too, and can dismiss it); after
// GOOD2 the overlay must go and "second edit" appear. Prints one JSON object with what it saw.
import { readFileSync, writeFileSync } from "node:fs";
import { launch } from "./launch.mjs";

const [url, file, good1, broken, good2] = process.argv.slice(2);
const read = (path) => readFileSync(path, "utf8");
const WAIT = { timeout: 15000 };
const seen = { navigations: 0 };

const context = await launch();
try {
  const tab = await context.newPage();
  tab.on("framenavigated", (frame) => {
    if (frame === tab.mainFrame()) seen.navigations += 1;
  });
  await tab.goto(url);
  // The live script is connected once the server's hello arrived; give it a moment.
  await tab.waitForFunction(() => !!document.querySelector("script[data-build]"), null, WAIT);
  seen.title_before = await tab.textContent("h1");
  await tab.waitForTimeout(300);

  writeFileSync(file, read(good1));
  await tab.waitForFunction(() => document.body.innerText.includes("first edit"), null, WAIT);
  seen.after_first_edit = { url: tab.url(), navigations: seen.navigations };

  writeFileSync(file, read(broken));
  await tab.waitForSelector("#gazette-overlay", { ...WAIT, state: "visible" });
  seen.overlay = await tab.textContent("#gazette-overlay pre");
  seen.overlay_elements = await tab.$$eval("#gazette-overlay pre *", (els) => els.length);
  seen.still_first_edit = (await tab.textContent("body")).includes("first edit");

  const second = await context.newPage();
  await second.goto(url);
  await second.waitForSelector("#gazette-overlay", { ...WAIT, state: "visible" });
  seen.second_tab_overlay = await second.textContent("#gazette-overlay pre");
  await second.click("#gazette-overlay button");
  seen.second_tab_dismissed = (await second.$("#gazette-overlay")) === null;

  writeFileSync(file, read(good2));
  await tab.waitForFunction(
    () => document.body.innerText.includes("second edit") && !document.getElementById("gazette-overlay"),
    null,
    WAIT,
  );
  seen.after_second_edit = { url: tab.url(), overlay: (await tab.$("#gazette-overlay")) !== null };
} catch (error) {
  seen.error = String(error);
} finally {
  await context.close();
}
console.log(JSON.stringify(seen));
