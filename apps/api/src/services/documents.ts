/**
 * The server's check of every editor document a client sends: the same schema the editor
 * uses (from `@prealign/core`), then conversion to the tagged text that is stored beside it.
 */
import {
  checkDocument,
  createSchema,
  docModeSpans,
  docToText,
  modeSpans,
  textToDoc,
  type GrammarOptions,
} from "@prealign/core";
import type { Node } from "prosemirror-model";
import { InvalidInputError } from "../errors.ts";

/** A document that passed the checks: its tagged text and its canonical JSON. */
export interface CheckedDocument {
  /** The tagged text, exactly as the document says it. */
  text: string;
  /** The document as JSON text, re-serialised from the checked node. */
  doc: string;
}

const REFUSED = "The editor sent a document the server cannot store";

/**
 * Whether the tagged text has the document's structure. A schema-valid document can only
 * disagree with its text when a text node holds a tag string, which makes the text invalid
 * or gives it other spans.
 */
function readsAsDocument(text: string, doc: Node, options: GrammarOptions): boolean {
  try {
    return JSON.stringify(modeSpans(text, options)) === JSON.stringify(docModeSpans(doc));
  } catch {
    return false;
  }
}

/**
 * Checks a client's document against the project's schema (`nodeFromJSON`, then
 * `checkDocument`: nesting, attributes, marks, span ids) and converts it to tagged text. A
 * text node holding a literal tag string would give a text whose structure differs from the
 * document's, so the mode spans of both must agree. Throws `InvalidInputError` saying what
 * is wrong.
 */
export function checkIncomingDocument(json: unknown, options: GrammarOptions): CheckedDocument {
  const schema = createSchema(options);
  let doc: Node;
  try {
    doc = schema.nodeFromJSON(json);
    checkDocument(doc);
  } catch (error) {
    throw new InvalidInputError(`${REFUSED}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = docToText(doc);
  if (!readsAsDocument(text, doc, options)) {
    throw new InvalidInputError(
      `${REFUSED}: its plain text contains a tag string, which would read as a tag. Use the toolbar to make spans.`,
    );
  }
  return { text, doc: JSON.stringify(doc.toJSON()) };
}

/** The empty document a new example starts with. */
export function emptyDocument(options: GrammarOptions): CheckedDocument {
  const converted = textToDoc("", options);
  if (!converted.ok) throw new Error("The empty text must convert to a document");
  return { text: "", doc: JSON.stringify(converted.doc.toJSON()) };
}
