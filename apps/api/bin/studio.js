#!/usr/bin/env -S node --max-semi-space-size=8
// The `studio` command line. Runs the current build (apps/api/src/build.ts) when there is one,
// that is when none of the files it was built from changed after the build began; otherwise the
// TypeScript sources through tsx, so that no build step stands between `npm install` (or an
// edit) and a working command.
import { currentBuild } from "./current-build.js";
import { limitMallocArenas } from "./malloc-arenas.js";
import { releaseWorkerHeaps } from "./young-generation.js";

// Before any thread of the studio's own starts. The first line's node option sizes this thread's
// young generation only (young-generation.js).
limitMallocArenas();
releaseWorkerHeaps();

const built = currentBuild(new URL("../dist/", import.meta.url), new URL("../../../", import.meta.url));

if (built !== null) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
