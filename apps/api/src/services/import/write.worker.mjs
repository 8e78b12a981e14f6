// The SQLite writer thread of an import (writer.ts): runs the writer's tasks one at a time, in order.
// Run from the sources, it loads tsx as bin/studio.js does; built into plain JavaScript
// (apps/api/src/build.ts defines STUDIO_BUILT there), it needs none.
if (typeof STUDIO_BUILT === "undefined") (await import("tsx/esm/api")).register();
const { runWriterTask } = await import("./sqlite-writer.ts");

/** Piscina calls the default export with each task. */
export default function writerTask(task) {
  return runWriterTask(task);
}
