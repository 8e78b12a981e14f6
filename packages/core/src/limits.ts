/**
 * What one document may hold, checked on its JSON before ProseMirror sees it.
 *
 * `Node.fromJSON` recurses once per level of nesting and adds each mark to a node's mark set
 * by copying the set, so a document with deep JSON or thousands of marks on one text node
 * costs time quadratic in its size, on the server and again in every browser that opens it.
 * The walk below is iterative and linear, touches only the fields `Node.fromJSON` reads, and
 * refuses a document past any limit with a message that says which limit and what to do.
 */

/** The most one document (one revision) may hold. */
export interface DocumentLimits {
  /** Characters of text, line breaks included (UTF-16 code units, as JavaScript counts). */
  characters: number;
  /** Nodes of every kind: paragraphs, spans, text runs, line breaks. */
  nodes: number;
  /** Levels of nesting below the document (paragraph, AI span, quote, text). */
  depth: number;
  /** Bad-behaviour marks on one text run (overlapping marks). */
  marksPerNode: number;
  /** Mark entries over the whole document (each text run counts each of its marks). */
  markEntries: number;
  /** Characters in one id (AI span ids and mark ids). */
  idLength: number;
}

/**
 * The limits every server applies to every saved document: about 17,000 words, several times
 * the longest hand-written example, in at most 8,000 parts. The JSON of the largest document
 * they allow is under 1 MB: storing it costs the server's event loop about 20 ms (most of it
 * in the database client), so that saving it in a loop keeps the server answering everyone
 * else within 50 ms (`npm run bench -- hostile.save`).
 */
export const DOCUMENT_LIMITS: DocumentLimits = Object.freeze({
  characters: 100_000,
  nodes: 8_000,
  depth: 6,
  marksPerNode: 32,
  markEntries: 2_000,
  idLength: 64,
});

/** Thrown for a document over a limit or not shaped like a ProseMirror document at all. */
export class DocumentLimitError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "DocumentLimitError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A lone surrogate (half of a UTF-16 pair) or a NUL character. */
const UNSTORABLE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/;

/**
 * Why `text` cannot be stored, or null when it can: a lone surrogate is not Unicode text at all
 * (it has no UTF-8 form), and PostgreSQL's text type cannot hold a NUL character.
 */
export function unstorableCharacter(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  return found[0] === "\u0000"
    ? `a NUL character (U+0000) at position ${found.index}; remove it`
    : `a lone surrogate (half of a UTF-16 pair, malformed Unicode) at position ${found.index}; send well-formed UTF-16`;
}

const SPLIT_ADVICE = "Split the example into several shorter examples.";

/**
 * Checks the shape and size of a document's JSON against `limits` (default
 * {@link DOCUMENT_LIMITS}) without building it: every node is an object with a string `type`,
 * `content` (where present) is an array, `text` a string and `marks` an array of objects. Throws
 * {@link DocumentLimitError} saying what is wrong; returns the number of characters of text.
 */
export function checkDocumentShape(json: unknown, limits: DocumentLimits = DOCUMENT_LIMITS): number {
  if (!isObject(json)) throw new DocumentLimitError("The document must be a JSON object with a type and content.");
  let nodes = 0;
  let characters = 0;
  let markEntries = 0;
  const pending: { node: unknown; depth: number }[] = [{ node: json, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (!isObject(node) || !isName(node.type, limits)) {
      throw new DocumentLimitError("Every node of the document must be a JSON object whose type is a node name such as paragraph.");
    }
    nodes += 1;
    if (nodes > limits.nodes) {
      throw new DocumentLimitError(`The document has more than ${limits.nodes.toLocaleString("en")} parts (paragraphs, spans, text runs). ${SPLIT_ADVICE}`);
    }
    if (depth > limits.depth) {
      throw new DocumentLimitError(`The document is nested more than ${limits.depth} levels deep; spans nest at most AI › quote.`);
    }
    if (node.text !== undefined) {
      if (typeof node.text !== "string") throw new DocumentLimitError("The text of a text node must be a string.");
      const unstorable = unstorableCharacter(node.text);
      if (unstorable) throw new DocumentLimitError(`The document's text holds ${unstorable}.`);
      characters += node.text.length;
      if (characters > limits.characters) {
        throw new DocumentLimitError(`The document holds more than ${limits.characters.toLocaleString("en")} characters. ${SPLIT_ADVICE}`);
      }
    }
    checkIds(node.attrs, limits);
    if (node.marks !== undefined) {
      if (!Array.isArray(node.marks)) throw new DocumentLimitError("The marks of a node must be an array.");
      if (node.marks.length > limits.marksPerNode) {
        throw new DocumentLimitError(`A piece of text carries more than ${limits.marksPerNode} overlapping bad-behaviour marks. Merge overlapping marks of one category into one.`);
      }
      markEntries += node.marks.length;
      if (markEntries > limits.markEntries) {
        throw new DocumentLimitError(`The document has more than ${limits.markEntries.toLocaleString("en")} marked text runs. ${SPLIT_ADVICE}`);
      }
      for (const mark of node.marks) {
        if (!isObject(mark) || !isName(mark.type, limits)) throw new DocumentLimitError("Every mark must be a JSON object whose type is a mark name such as bad_behaviour.");
        checkIds(mark.attrs, limits);
      }
    }
    if (node.content !== undefined) {
      if (!Array.isArray(node.content)) throw new DocumentLimitError("The content of a node must be an array of nodes.");
      if (nodes + pending.length + node.content.length > limits.nodes) {
        throw new DocumentLimitError(`The document has more than ${limits.nodes.toLocaleString("en")} parts (paragraphs, spans, text runs). ${SPLIT_ADVICE}`);
      }
      for (const child of node.content) pending.push({ node: child, depth: depth + 1 });
    }
  }
  return characters;
}

/** Whether `value` could name a node or mark type: a short string. */
function isName(value: unknown, limits: DocumentLimits): value is string {
  return typeof value === "string" && value.length <= limits.idLength;
}

/**
 * Refuses attributes that no node or mark of the schema has: every attribute is a short string
 * (an id, a category, a line break) or null. Ids get their own message, since they are the
 * attributes people (and other tools) write.
 */
function checkIds(attrs: unknown, limits: DocumentLimits): void {
  if (attrs === undefined || attrs === null) return;
  if (!isObject(attrs)) throw new DocumentLimitError("The attributes of a node or mark must be a JSON object.");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null) continue;
    if (typeof value !== "string") throw new DocumentLimitError(`The attribute ${key.slice(0, 40)} must be a string or null.`);
    if (value.length > limits.idLength) {
      throw new DocumentLimitError(
        key === "id" || key === "commentary"
          ? `An ${key === "id" ? "id" : "commentary link"} is longer than ${limits.idLength} characters; ids are short names such as ai-3f9c….`
          : `The attribute ${key.slice(0, 40)} is longer than ${limits.idLength} characters.`,
      );
    }
  }
}
