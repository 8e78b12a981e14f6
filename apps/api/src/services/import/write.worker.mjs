// The SQLite writer thread of an import (writer.ts): runs the TypeScript sources through tsx, as
// bin/studio.js does, and runs the writer's tasks one at a time, in order.
import { register } from "tsx/esm/api";

register();
const { runWriterTask } = await import("./sqlite-writer.ts");

/** Piscina calls the default export with each task. */
export default function writerTask(task) {
  return runWriterTask(task);
}
