// A worker thread of an import's parsing pool (importer.ts): runs the TypeScript sources through
// tsx, as bin/studio.js does, and reads one batch of lines per task. The batch's examples come
// back packed in a buffer of their own, transferred rather than copied.
import { Piscina } from "piscina";
import { register } from "tsx/esm/api";

register();
const { parsePackedBatch } = await import("./batch.ts");

/** Piscina calls the default export with each task. */
export default function parseTask(task) {
  const outcome = parsePackedBatch(task);
  return Piscina.move({ [Piscina.transferableSymbol]: [outcome.examples.buffer], [Piscina.valueSymbol]: outcome });
}
