// The size of the main thread's young generation in the studio's processes.
//
// V8 grows a thread's young generation up to its largest size (two semi-spaces of 16 MB on a
// 64-bit machine) in any long, busy run in which some objects outlive a collection, and does not
// shrink it while the thread keeps allocating. The studio's main thread needs less: with
// semi-spaces of 8 MB a tokenised export of a million examples peaked at 273 and 279 MB against
// 317 and 317 MB (the main thread's heap stayed at 45 MB instead of 61-92 MB) in the same time,
// and the server's save p99 under load was 37 and 39 ms against 42 and 41 ms (`npm run bench --
// export.peak_rss load.save_p99`; 4 MB semi-spaces saved 10 MB more in the export). Node takes
// that size only from its command line (`--max-semi-space-size`), for the main thread and for
// every worker thread started after, so `studio` is started with it (the first line of
// bin/studio.js), and `releaseWorkerHeaps` then clears the setting, so that worker threads,
// created later, get the young generations their pools ask for (`resourceLimits`) or V8's own.
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
