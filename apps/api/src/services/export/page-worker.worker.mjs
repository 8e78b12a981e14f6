// A worker thread of an export's page pool (exporter.ts): runs the TypeScript sources through
// tsx, as bin/studio.js does, and does one page's work per task (page-worker.ts), handing the
// page's memory over to the exporting thread instead of copying it.
import { Piscina } from "piscina";
import { register } from "tsx/esm/api";

register();
const { runPageTask } = await import("./page-worker.ts");
const { transferListOf } = await import("./records.ts");

/** Piscina calls the default export with each task. */
export default async function pageTask(task) {
  const page = await runPageTask(task);
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return transferListOf(page);
    },
    get [Piscina.valueSymbol]() {
      return page;
    },
  });
}
