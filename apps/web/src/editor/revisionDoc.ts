/**
 * The editor document of a server revision: its stored ProseMirror JSON (as a string or an
 * object), checked as the server checks it, or else its tagged text read by the codec. The
 * schema is the project's (its grammar options decide which quote spans exist). A document over
 * the size limits is refused before it is built, so that no stored document can freeze the page.
 */
import type { Node, Schema } from "prosemirror-model";
import { documentFromJSON, textToDoc } from "@prealign/core";

/** What a revision carries that the document can be made from. */
export interface RevisionContent {
  text: string;
  doc?: unknown;
}

/** The document of a revision. Throws when neither its JSON nor its text is a valid document. */
export function revisionDoc(revision: RevisionContent, schema: Schema): Node {
  const json: unknown = typeof revision.doc === "string" ? JSON.parse(revision.doc) : revision.doc;
  if (json) return documentFromJSON(json, schema);
  const parsed = textToDoc(revision.text, { schema });
  if (!parsed.ok) throw new Error(`The saved text is not valid: ${parsed.errors[0]!.message}`);
  return parsed.doc;
}

/** The document kept in a draft, or null when it is not a valid document any more. */
export function draftDoc(json: unknown, schema: Schema): Node | null {
  try {
    return documentFromJSON(json, schema);
  } catch {
    return null;
  }
}
