/**
 * Between editor positions and code-point offsets of the tagged text (`docToText(doc)`), the
 * unit in which the API anchors flags and marks. The walk is the core's (`spans.ts`): text and
 * hard breaks count their characters, a span adds its open tag before its content and its close
 * tag after, a paragraph adds its line break after it.
 */
import type { Node } from "prosemirror-model";
import type { Selection } from "prosemirror-state";
import { codePointLength, codePointToUtf16, modeOfNodeType, schemaGrammar, spanStructure } from "@prealign/core";
import { textRange } from "../editor/spans.ts";

/**
 * A stretch of the document that maps linearly, or a single position (`size` 0). Text pieces
 * keep their text so that a position inside them can be counted in code points.
 */
interface Piece {
  pos: number;
  size: number;
  offset: number;
  length: number;
  text: string | null;
}

/** A code-point range of the tagged text, `start` inclusive, `end` exclusive. */
export interface TextRange {
  start: number;
  end: number;
}

/** The position ↔ offset correspondence of one document. Build once per document. */
export class OffsetMap {
  private readonly pieces: Piece[] = [];

  constructor(readonly doc: Node) {
    const { spans } = spanStructure(schemaGrammar(doc.type.schema));
    let offset = 0;
    const point = (pos: number) => this.pieces.push({ pos, size: 0, offset, length: 0, text: null });
    const inline = (node: Node, start: number): void => {
      node.forEach((child, at) => {
        const pos = start + at;
        if (child.isText) {
          const length = codePointLength(child.text!);
          this.pieces.push({ pos, size: child.nodeSize, offset, length, text: child.text! });
          offset += length;
        } else if (child.isLeaf) {
          const length = codePointLength(child.type.spec.leafText?.(child) ?? "");
          this.pieces.push({ pos, size: child.nodeSize, offset, length, text: null });
          offset += length;
        } else {
          const tags = spans.get(modeOfNodeType(child.type)!)!;
          point(pos);
          offset += tags.open.length;
          point(pos + 1);
          inline(child, pos + 1);
          point(pos + child.nodeSize - 1);
          offset += tags.close.length;
          point(pos + child.nodeSize);
        }
      });
    };
    const last = doc.childCount - 1;
    doc.forEach((paragraph, pos, index) => {
      point(pos + 1);
      inline(paragraph, pos + 1);
      point(pos + paragraph.nodeSize - 1);
      if (index < last) offset += (paragraph.attrs.lineBreak as string).length;
    });
  }

  /** The code-point offset of an inline position (a position between paragraphs counts as the next one's start). */
  offsetAt(pos: number): number {
    const pieces = this.pieces;
    // The last piece starting at or before `pos`.
    let low = 0;
    let high = pieces.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (pieces[mid]!.pos <= pos) low = mid;
      else high = mid - 1;
    }
    const piece = pieces[low]!;
    if (pos < piece.pos) return piece.offset;
    if (pos >= piece.pos + piece.size) return piece.offset + piece.length;
    if (piece.text === null) return piece.offset;
    return piece.offset + codePointLength(piece.text, 0, pos - piece.pos);
  }

  /**
   * The position of a code-point offset. An offset inside a tag or a line break (where no
   * position is) goes to the nearest position after it.
   */
  posAt(offset: number): number {
    const pieces = this.pieces;
    let low = 0;
    let high = pieces.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (pieces[mid]!.offset <= offset) low = mid;
      else high = mid - 1;
    }
    const piece = pieces[low]!;
    if (offset < piece.offset) return piece.pos;
    if (offset < piece.offset + piece.length) {
      if (piece.text === null) return piece.pos;
      return piece.pos + codePointToUtf16(piece.text, offset - piece.offset);
    }
    if (offset === piece.offset + piece.length) return piece.pos + piece.size;
    // Inside a tag or a line break: the next piece's position.
    return pieces[low + 1]?.pos ?? piece.pos + piece.size;
  }

  /** The document range of a code-point range. */
  toPositions(range: TextRange): { from: number; to: number } {
    const from = this.posAt(range.start);
    return { from, to: Math.max(from, this.posAt(range.end)) };
  }

  /** The code-point range of a selection, narrowed to the text it covers. */
  selectionRange(selection: Selection): TextRange {
    const { $from, $to } = textRange(selection);
    return { start: this.offsetAt($from.pos), end: this.offsetAt($to.pos) };
  }
}
