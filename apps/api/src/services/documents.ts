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
 * Checks a client's document against the project's schema (`nodeFromJSON`, then
 * `checkDocument`: nesting, attributes, marks, span ids) and converts it to tagged text. A
 * text node holding a literal tag string would give a text whose structure differs from the
 * document's, so the mode spans of both must agree. Throws `InvalidInputError` saying what
 * is wrong.
 */
export function checkIncomingDocument(json: unknown, options: GrammarOptions): CheckedDocument {
  const schema = createSchema(options);
  let doc: ReturnType<typeof schema.nodeFromJSON>;
  try {
    doc = schema.nodeFromJSON(json);
    checkDocument(doc);
  } catch (error) {
    throw new InvalidInputError(`${REFUSED}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = docToText(doc);
  const fromDocument = JSON.stringify(docModeSpans(doc));
  let fromText: string;
  try {
    fromText = JSON.stringify(modeSpans(text, options));
  } catch (error) {
    throw new InvalidInputError(`${REFUSED}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (fromText !== fromDocument) {
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
