// A worker thread of an import's parsing pool (importer.ts): reads one batch of lines per task.
// The batch's examples come back packed in a buffer of their own, transferred rather than copied.
// Run from the sources, it loads tsx as bin/studio.js does; built into plain JavaScript
// (apps/api/src/build.ts defines STUDIO_BUILT there), it needs none.
import { Piscina } from "piscina";
if (typeof STUDIO_BUILT === "undefined") (await import("tsx/esm/api")).register();
const { parsePackedBatch } = await import("./batch.ts");

/** Piscina calls the default export with each task. */
export default function parseTask(task) {
  const outcome = parsePackedBatch(task);
  return Piscina.move({ [Piscina.transferableSymbol]: [outcome.examples.buffer], [Piscina.valueSymbol]: outcome });
}
