/**
 * The server's check of every editor document a client sends: the same schema the editor
 * uses (from `@prealign/core`), then conversion to the tagged text that is stored beside it.
 */
import { createSchema, docToText, documentFromJSON, textToDoc, type GrammarOptions } from "@prealign/core";
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
 * Checks a client's document against the project's schema with core's `documentFromJSON`
 * (nesting, attributes, marks, span ids, no tag strings in the text: the rule that
 * `studio convert` applies too) and converts it to tagged text. Throws `InvalidInputError`
 * saying what is wrong.
 */
export function checkIncomingDocument(json: unknown, options: GrammarOptions): CheckedDocument {
  let doc: Node;
  try {
    doc = documentFromJSON(json, createSchema(options));
  } catch (error) {
    throw new InvalidInputError(`${REFUSED}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { text: docToText(doc), doc: JSON.stringify(doc.toJSON()) };
}

/** The empty document a new example starts with. */
export function emptyDocument(options: GrammarOptions): CheckedDocument {
  const converted = textToDoc("", options);
  if (!converted.ok) throw new Error("The empty text must convert to a document");
  return { text: "", doc: JSON.stringify(converted.doc.toJSON()) };
}
