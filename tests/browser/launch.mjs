// Shared by every browser script: Debian's Chromium, headless, with the flags that keep it off the
// network, and a fresh profile folder each time.
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

export function executable() {
  return process.env.GAZETTE_CHROMIUM || "/usr/bin/chromium";
}

/** A persistent context on a fresh profile; close it when done. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "gazette-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: executable(),
    headless: true,
    args: FLAGS,
  });
}
