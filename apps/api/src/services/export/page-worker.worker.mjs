// A worker thread of an export's page pool (exporter.ts): does one page's work per task
// (page-worker.ts), handing the page's memory over to the exporting thread instead of copying it.
// Run from the sources, it loads tsx as bin/studio.js does; built into plain JavaScript
// (apps/api/src/build.ts defines STUDIO_BUILT there), it needs none.
import { Piscina, workerData } from "piscina";
if (typeof STUDIO_BUILT === "undefined") (await import("tsx/esm/api")).register();
const { runPageTask } = await import("./page-worker.ts");
const { transferListOf } = await import("./records.ts");
// A tokenising export's threads share the rank table the exporting thread built.
if (workerData?.ranks) (await import("@prealign/core/tokenizer")).adoptRankTable(workerData.encoding, workerData.ranks);

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
