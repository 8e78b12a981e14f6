// A worker thread of the DocumentChecker pool (documents.ts): runs the TypeScript sources
// through tsx, as bin/studio.js does, and checks one document per task.
import { register } from "tsx/esm/api";

register();
const { checkDocumentJson } = await import("./documents.ts");

/** Piscina calls the default export with each task. */
export default function checkTask({ json, options }) {
  return checkDocumentJson(json, options);
}
