import type { ReactNode } from "react";
import { CommentThread } from "./CommentThread.tsx";
import { excerpt, words, type FlagView } from "./vocabulary.ts";

/** Props of `FlagList`. */
export interface FlagListProps {
  exampleId: string;
  /** The reviewed revision's tagged text, which the flags' offsets count in. */
  text: string;
  flags: readonly FlagView[];
  /** Its accessible name ("Your flags", "Flags by Ann"). */
  label: string;
  /** Whether the caller may add to the threads. */
  canComment: boolean;
  /** Takes the reader to the flagged text. */
  onShow?: (flag: FlagView) => void;
  /** Extra controls per flag (remove; uphold and dismiss). */
  controls?: (flag: FlagView, name: string) => ReactNode;
}

/** A name for a flag that tells it apart from the others in a list: its category and the text it covers. */
export function flagName(flag: FlagView, text: string): string {
  return `${words(flag.category)} “${excerpt(text, flag.start, flag.end, 40)}”`;
}

/** Flags with category, severity, the flagged text, the decision when there is one, and each one's comment thread. */
export function FlagList({ exampleId, text, flags, label, canComment, onShow, controls }: FlagListProps) {
  if (flags.length === 0) return <p className="muted">No flags.</p>;
  return (
    <ul className="flag-list" aria-label={label}>
      {flags.map((flag) => {
        const name = flagName(flag, text);
        return (
          <li key={flag.id} className={`flag severity-${flag.severity}`}>
            <div className="flag-head">
              <span className="flag-category">{words(flag.category)}</span>
              <span className={`severity severity-${flag.severity}`}>{flag.severity}</span>
              {flag.decision && <span className={`decision decision-${flag.decision}`}>{flag.decision}</span>}
            </div>
            <blockquote>{excerpt(text, flag.start, flag.end)}</blockquote>
            <div className="flag-buttons">
              {onShow && (
                <button type="button" className="secondary" onClick={() => onShow(flag)}>
                  Show in text<span className="visually-hidden">: {name}</span>
                </button>
              )}
              {controls?.(flag, name)}
            </div>
            <CommentThread exampleId={exampleId} flagId={flag.id} comments={flag.comments} canReply={canComment} flagName={name} />
          </li>
        );
      })}
    </ul>
  );
}
