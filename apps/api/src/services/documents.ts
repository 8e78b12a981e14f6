/**
 * The server's check of every editor document a client sends: its size and shape against the
 * core's `DOCUMENT_LIMITS`, the same schema the editor uses (from `@prealign/core`), the
 * canonical form, then conversion to the tagged text and excerpt that are stored beside it.
 *
 * Checking the largest document the limits allow takes tens of milliseconds of CPU, so saves
 * run it on a pool of worker threads (`DocumentChecker`): the event loop keeps answering
 * everyone else meanwhile. The web app sends the document as JSON text, which the worker
 * parses, so that the main thread never walks it at all.
 */
import { hash } from "node:crypto";
import { availableParallelism } from "node:os";
import { codePointToUtf16, createSchema, docToText, documentFromJSON, textToDoc, type GrammarOptions } from "@prealign/core";
import { Piscina } from "piscina";
import { InvalidInputError } from "../errors.ts";

/** A document that passed the checks: its tagged text, its canonical JSON and its excerpt. */
export interface CheckedDocument {
  /** The tagged text, exactly as the document says it. */
  text: string;
  /** The document as JSON text, re-serialised from the checked node. */
  doc: string;
  /** The start of the text, as lists show it (see {@link excerptOf}). */
  excerpt: string;
  /** The SHA-256 of `doc` in hex (see {@link digestOf}). */
  digest: string;
}

/**
 * The digest stored with a revision: the SHA-256 of its document JSON, in hex. One-shot `hash`
 * takes 1.45 µs for a document of 1 KB where a `createHash` object took 1.9, which an import of
 * a million lines pays a million times.
 */
export function digestOf(doc: string): string {
  return hash("sha256", doc, "hex");
}

/** How many code points of a revision's text its excerpt keeps. */
export const EXCERPT_LENGTH = 160;

/** The excerpt stored with a revision: the first {@link EXCERPT_LENGTH} code points of its text. */
export function excerptOf(text: string): string {
  return text.slice(0, codePointToUtf16(text, EXCERPT_LENGTH));
}

const REFUSED = "The editor sent a document the server cannot store";

/** The longest reason a refusal quotes. */
const MAX_REASON_LENGTH = 300;

/** What a check comes to, as it crosses from a worker thread: the document or the refusal. */
export type DocumentCheckOutcome = { ok: true; checked: CheckedDocument } | { ok: false; message: string };

/**
 * Checks a client's document, given as JSON text or as parsed JSON, against the project's
 * schema with core's `documentFromJSON` (limits, nesting, attributes, marks, span ids, canonical
 * line breaks, no tag strings in the text: the rules `studio convert` applies too) and converts
 * it. Never throws: a refusal is an outcome whose message says what is wrong.
 */
export function checkDocumentJson(json: unknown, options: GrammarOptions): DocumentCheckOutcome {
  try {
    const parsed: unknown = typeof json === "string" ? JSON.parse(json) : json;
    const doc = documentFromJSON(parsed, createSchema(options));
    const text = docToText(doc);
    const canonical = JSON.stringify(doc.toJSON());
    return { ok: true, checked: { text, doc: canonical, excerpt: excerptOf(text), digest: digestOf(canonical) } };
  } catch (error) {
    const reason = error instanceof SyntaxError ? `it is not valid JSON (${error.message})` : error instanceof Error ? error.message : String(error);
    // ProseMirror's own messages quote the offending value, which a hostile document makes huge.
    const shown = reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
    return { ok: false, message: `${REFUSED}: ${shown}` };
  }
}

/** Runs {@link checkDocumentJson} on worker threads. */
export class DocumentChecker {
  readonly #pool = new Piscina<{ json: unknown; options: GrammarOptions }, DocumentCheckOutcome>({
    filename: new URL("./document-check.worker.mjs", import.meta.url).href,
    // One core stays with the event loop.
    maxThreads: Math.max(1, availableParallelism() - 1),
    minThreads: 1,
  });

  /** The checked document; throws `InvalidInputError` saying what is wrong with it. */
  async check(json: unknown, options: GrammarOptions): Promise<CheckedDocument> {
    const outcome = await this.#pool.run({ json, options });
    if (!outcome.ok) throw new InvalidInputError(outcome.message);
    return outcome.checked;
  }

  /** Stops the worker threads. */
  close(): Promise<void> {
    return this.#pool.destroy();
  }
}

/** The empty document a new example starts with. */
export function emptyDocument(options: GrammarOptions): CheckedDocument {
  const converted = textToDoc("", options);
  if (!converted.ok) throw new Error("The empty text must convert to a document");
  const doc = JSON.stringify(converted.doc.toJSON());
  return { text: "", doc, excerpt: "", digest: digestOf(doc) };
}
