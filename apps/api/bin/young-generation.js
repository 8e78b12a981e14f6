// The size of the main thread's young generation in the studio's processes.
//
// V8 grows a thread's young generation up to its largest size (two semi-spaces of 16 MB on a
// 64-bit machine) in any long, busy run in which some objects outlive a collection, and does not
// shrink it while the thread keeps allocating. The studio's main thread needs far less: with
// semi-spaces of 4 MB an export of a million examples took the same CPU time and peaked 9 MB
// lower (`npm run bench -- export.peak_rss`). Node takes that size only from its command line
// (`--max-semi-space-size`), for the main thread and for every worker thread started after, so
// `studio` is started with it (the first line of bin/studio.js), and `releaseWorkerHeaps` then
// clears the setting, so that worker threads, created later, get the young generations their
// pools ask for (`resourceLimits`) or V8's own: an export's page threads, given smaller ones,
// took 12% more CPU time.
import { readFileSync } from "node:fs";
import v8 from "node:v8";

/** The options `studio` gives node (read from the first line of bin/studio.js), for whoever starts a studio process otherwise. */
export function studioNodeOptions() {
  const first = readFileSync(new URL("./studio.js", import.meta.url), "utf8").split("\n", 1)[0];
  const match = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/.exec(first);
  if (match === null) throw new Error(`Unexpected first line in bin/studio.js: ${first}`);
  return match[1].split(" ").filter(Boolean);
}

/** Clears `--max-semi-space-size` for the worker threads started from now on (see the top of this file). */
export function releaseWorkerHeaps() {
  v8.setFlagsFromString("--max-semi-space-size=0");
}
