#!/usr/bin/env node
// Regenerates the README screenshots: builds the sample digest into a temp folder, serves it on a
// loopback port, and photographs the home page and the seed article at desktop and phone widths
// in headless Chromium. Writes docs/screenshots/*.png.
//
//   npm ci --prefix tests/browser   # once: playwright-core
//   node scripts/screenshots.mjs
//
// Needs cargo, node and Chromium (/usr/bin/chromium, or GAZETTE_CHROMIUM).
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "../tests/browser/launch.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(repo, "docs", "screenshots");

const SHOTS = [
  { name: "home-desktop", page: "home", width: 1280, height: 1000, scale: 1 },
  { name: "article-desktop", page: "article", width: 1280, height: 1000, scale: 1 },
  { name: "home-phone", page: "home", width: 375, height: 740, scale: 2 },
  { name: "article-phone", page: "article", width: 375, height: 740, scale: 2 },
  { name: "article-phone-dark", page: "article", width: 375, height: 740, scale: 2, dark: true },
];

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".xml": "application/xml",
  ".json": "application/json",
};

/** A static server for `root` on a free loopback port. */
function serve(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) file = join(root, "404.html");
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const body = readFileSync(file);
      res.writeHead(200, { "Content-Type": MIME[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { "Content-Type": MIME[".html"] });
      res.end(readFileSync(join(root, "404.html")));
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/** The seed article: the one page under public/2024/11/27/ that is not the day's list. */
function seedArticle(root) {
  const day = join(root, "2024", "11", "27");
  const slug = readdirSync(day).find((d) => d !== "page" && statSync(join(day, d)).isDirectory());
  if (!slug) throw new Error(`no article page under ${day}`);
  return `/2024/11/27/${slug}/`;
}

const site = mkdtempSync(join(tmpdir(), "gazette-shots-"));
const root = join(site, "public");
try {
  execFileSync("cargo", ["run", "--release", "--quiet", "--", "build", "--output", root], {
    cwd: repo,
    stdio: "inherit",
  });
  const server = await serve(root);
  const base = `http://127.0.0.1:${server.address().port}`;
  const paths = { home: "/", article: seedArticle(root) };
  mkdirSync(outDir, { recursive: true });
  const context = await launch();
  try {
    for (const shot of SHOTS) {
      const page = await context.newPage();
      await page.emulateMedia({ colorScheme: shot.dark ? "dark" : "light" });
      // launch() gives one persistent context with a fixed viewport and scale, so the size and
      // pixel ratio of each shot are set, and the picture taken, through the DevTools protocol.
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setDeviceMetricsOverride", {
        width: shot.width,
        height: shot.height,
        deviceScaleFactor: shot.scale,
        mobile: shot.width < 600,
      });
      await page.goto(base + paths[shot.page], { waitUntil: "load" });
      await page.bringToFront();
      const { data } = await cdp.send("Page.captureScreenshot", { format: "png" });
      const file = join(outDir, `${shot.name}.png`);
      writeFileSync(file, Buffer.from(data, "base64"));
      console.log(`wrote ${file}`);
      await page.close();
    }
  } finally {
    await context.close();
    server.close();
  }
} finally {
  rmSync(site, { recursive: true, force: true });
}
