/**
 * The editor document of a server revision: its stored ProseMirror JSON (as a string or an
 * object), checked as the server checks it, or else its tagged text read by the codec. The
 * schema is the project's (its grammar options decide which quote spans exist).
 */
import { Node, type Schema } from "prosemirror-model";
import { checkDocument, textToDoc } from "@prealign/core";

/** What a revision carries that the document can be made from. */
export interface RevisionContent {
  text: string;
  doc?: unknown;
}

/** The document of a revision. Throws when neither its JSON nor its text is a valid document. */
export function revisionDoc(revision: RevisionContent, schema: Schema): Node {
  const json: unknown = typeof revision.doc === "string" ? JSON.parse(revision.doc) : revision.doc;
  if (json) {
    const doc = Node.fromJSON(schema, json);
    checkDocument(doc);
    return doc;
  }
  const parsed = textToDoc(revision.text, { schema });
  if (!parsed.ok) throw new Error(`The saved text is not valid: ${parsed.errors[0]!.message}`);
  return parsed.doc;
}

/** The document kept in a draft, or null when it is not a valid document any more. */
export function draftDoc(json: unknown, schema: Schema): Node | null {
  try {
    const doc = Node.fromJSON(schema, json);
    checkDocument(doc);
    return doc;
  } catch {
    return null;
  }
}
