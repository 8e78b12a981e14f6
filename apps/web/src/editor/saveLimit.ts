/**
 * How large a document may grow before the server could no longer save it. The limit is checked
 * where a document can grow by megabytes at once (paste and drop); typing cannot get there.
 */
import type { Node } from "prosemirror-model";

/**
 * The largest document the editor lets a paste or drop make, in bytes of its JSON (UTF-8), as a
 * save sends it. The server refuses a request body over 10 MiB; a save's body is the document's
 * JSON plus a few hundred bytes (example id, base revision, batch envelope). The limit is set
 * well below, and on the JSON rather than the tagged text, because the JSON of many short lines
 * or spans is several times the size of their text.
 */
export const MAX_DOCUMENT_JSON_BYTES = 8 * 1024 * 1024;

/** What the user is told when a paste or drop would pass the limit. */
export const TOO_LARGE_REASON = `the example would then be larger than the ${MAX_DOCUMENT_JSON_BYTES / (1024 * 1024)} MB it can be saved with`;

const encoder = new TextEncoder();

/** The size of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Whether `text` alone is over the limit, so that it can be refused before it is read: every
 * character of a text ends up in the document's JSON, which is never smaller than the text.
 */
export function textTooLarge(text: string, limit = MAX_DOCUMENT_JSON_BYTES): boolean {
  // Each UTF-16 unit is at most 3 bytes of UTF-8, so short texts need no encoding.
  return text.length * 3 > limit && utf8Length(text) > limit;
}

/** Whether the document is over the limit as a save would send it. */
export function documentTooLarge(doc: Node, limit = MAX_DOCUMENT_JSON_BYTES): boolean {
  return utf8Length(JSON.stringify(doc.toJSON())) > limit;
}
