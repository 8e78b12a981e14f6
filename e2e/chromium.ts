/**
 * How the tests and benchmarks start Chromium: Debian's build (or `CHROMIUM_PATH`), headless,
 * with every background connection off, since nothing outside this machine can be reached.
 */

/** The Chromium executable: `CHROMIUM_PATH`, or Debian's /usr/bin/chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The command-line flags every launch uses. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
