import type { Node } from "prosemirror-model";
import { useMemo, useState } from "react";
import { docToText } from "@prealign/core";

/**
 * The document as tagged text, exactly as it is saved and exported, in a disclosure that is
 * closed by default (converting a long document costs a moment, so it is done only when open).
 */
export function TaggedText({ doc }: { doc: Node }) {
  const [open, setOpen] = useState(false);
  const text = useMemo(() => (open ? docToText(doc) : ""), [open, doc]);
  return (
    <details className="tagged-text" open={open} onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary>Tagged text</summary>
      <pre role="region" aria-label="Tagged text" tabIndex={0}>{text}</pre>
    </details>
  );
}
