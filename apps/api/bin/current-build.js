// Finds the current build of `studio` (apps/api/src/build.ts): plain JavaScript, because
// bin/studio.js asks before it knows whether it will need tsx.
import { readFileSync, statSync } from "node:fs";

/**
 * The URL of the built command line named by `dist`'s build record (`studio.json`: the build's
 * folder, when the build began, and what it was made from, relative to `repository`), or null
 * when there is none or it is stale: when one of those files changed after the build began, or
 * is gone. `dist` and `repository` are folder URLs ending in "/".
 */
export function currentBuild(dist, repository) {
  try {
    const { folder, builtAt, inputs } = JSON.parse(readFileSync(new URL("studio.json", dist), "utf8"));
    const current = inputs.length > 0 && inputs.every((input) => statSync(new URL(input, repository)).mtimeMs <= builtAt);
    return current ? new URL(`${folder}/studio.mjs`, dist) : null;
  } catch {
    return null;
  }
}
