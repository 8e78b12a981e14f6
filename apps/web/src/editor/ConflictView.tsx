import { RevisionDiffView } from "./RevisionDiffView.tsx";

/**
 * Shown when a save was refused because someone saved a newer revision meanwhile: the user's
 * text and the newer revision side by side, with their differences, and the two ways out.
 * Either way nothing is lost: the newer revision stays in the history, and "Keep mine" saves
 * the user's text as the next revision.
 */
export function ConflictView({
  mine,
  theirs,
  theirsLabel,
  onKeepMine,
  onTakeTheirs,
}: {
  mine: string;
  theirs: string;
  theirsLabel: string;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
}) {
  return (
    <section className="card conflict" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Someone saved a newer version while you were editing</h2>
      <p role="alert">
        Your changes are not saved yet; they are kept in this browser. Keep yours (saved on top of {theirsLabel}, which stays in the history), or take
        theirs (your changes are dropped).
      </p>
      <div className="sides">
        <div>
          <h3>Your text</h3>
          <pre role="region" aria-label="Your text" tabIndex={0}>{mine}</pre>
        </div>
        <div>
          <h3>{theirsLabel}</h3>
          <pre role="region" aria-label="Newer revision" tabIndex={0}>{theirs}</pre>
        </div>
      </div>
      <h3>What differs (from theirs to yours)</h3>
      <RevisionDiffView before={theirs} after={mine} label="Differences" />
      <div className="inline-form">
        <button type="button" onClick={onKeepMine}>
          Keep mine
        </button>
        <button type="button" className="secondary" onClick={onTakeTheirs}>
          Take theirs
        </button>
      </div>
    </section>
  );
}
