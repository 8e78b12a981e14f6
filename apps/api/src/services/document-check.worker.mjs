// A worker thread of the DocumentChecker pool (documents.ts): checks one document per task.
// Run from the sources, it loads tsx as bin/studio.js does; built into plain JavaScript
// (apps/api/src/build.ts defines STUDIO_BUILT there), it needs none.
if (typeof STUDIO_BUILT === "undefined") (await import("tsx/esm/api")).register();
const { checkDocumentJson } = await import("./documents.ts");

/** Piscina calls the default export with each task. */
export default function checkTask({ json, options }) {
  return checkDocumentJson(json, options);
}
