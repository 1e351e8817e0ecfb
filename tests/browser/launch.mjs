// Shared by every browser script: Debian's Chromium, headless, with the flags that keep it off the
// network, and a fresh profile folder each time.
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// One flag a line, in a file tests/common/browser.rs reads too: both run the same browser.
export const FLAGS = readFileSync(new URL("./chromium-flags.txt", import.meta.url), "utf8")
  .split("\n")
  .map((flag) => flag.trim())
  .filter((flag) => flag !== "");

export function executable() {
  return process.env.GAZETTE_CHROMIUM || "/usr/bin/chromium";
}

/** A persistent context on a fresh profile; close it when done. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "gazette-chromium-"));
  // On exit rather than on close, so a script that throws before closing leaves nothing behind either
  // (each profile is about 1 MB, and every test run makes several).
  process.on("exit", () => rmSync(profile, { recursive: true, force: true, maxRetries: 3 }));
  return chromium.launchPersistentContext(profile, {
    executablePath: executable(),
    headless: true,
    args: FLAGS,
  });
}
