import { useMemo } from "react";
import { revisionDiff } from "./revisionDiff.ts";

/** The word diff of two tagged texts, additions as `<ins>` and removals as `<del>`. */
export function RevisionDiffView({ before, after, label }: { before: string; after: string; label: string }) {
  const parts = useMemo(() => revisionDiff(before, after), [before, after]);
  if (!parts) return <p className="muted">These revisions differ too much to show word by word.</p>;
  return (
    <pre className="diff" role="region" aria-label={label} tabIndex={0}>
      {parts.map((part, index) =>
        part.kind === "added" ? <ins key={index}>{part.text}</ins> : part.kind === "removed" ? <del key={index}>{part.text}</del> : <span key={index}>{part.text}</span>,
      )}
    </pre>
  );
}
