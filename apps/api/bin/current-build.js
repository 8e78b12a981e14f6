// Whether a build of `studio` (apps/api/src/build.ts) is current: plain JavaScript, because
// bin/studio.js asks before it knows whether it will need tsx.
import { readFileSync, statSync } from "node:fs";

/**
 * True when the folder `built` (a URL ending in "/") holds a build record (`inputs.json`: when
 * the build began and its sources, relative to `repository`) and none of those sources was
 * changed after the build began. A missing or unreadable record, or a missing source, makes
 * the build stale.
 */
export function buildIsCurrent(built, repository) {
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(new URL("inputs.json", built), "utf8"));
    return inputs.length > 0 && inputs.every((input) => statSync(new URL(input, repository)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}
