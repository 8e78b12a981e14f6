#!/usr/bin/env node
// The `studio` command line. Runs the build in ../dist/cli (apps/api/src/build.ts) when it is
// current, that is when none of the files it was built from changed after the build began;
// otherwise the TypeScript sources through tsx, so that no build step stands between
// `npm install` (or an edit) and a working command.
import { buildIsCurrent } from "./current-build.js";

const built = new URL("../dist/cli/", import.meta.url);

if (buildIsCurrent(built, new URL("../../../", import.meta.url))) {
  await import(new URL("studio.mjs", built).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
