import type { SaveStatus } from "./autosave.ts";

/** Where unsaved text is, for the messages about problems. */
function keptWhere(draftKept: boolean): string {
  return draftKept
    ? "Your text is kept in this browser"
    : "Your text is too large for this browser to keep: leave this tab open until it is saved";
}

/** What autosave is doing, in words; problems also say where the text is and what to do. */
export function SaveStatusView({ status, onRetry }: { status: SaveStatus; onRetry: () => void }) {
  const problem = status.kind === "conflict" || status.kind === "retrying" || status.kind === "refused";
  return (
    <div className={`save-status${problem ? " problem" : ""}`} role="status" aria-label="Save status">
      {status.kind === "saved" && (status.revisionNumber === null ? "All changes saved" : `Saved as revision ${status.revisionNumber}`)}
      {status.kind === "unsaved" && "Unsaved changes"}
      {status.kind === "saving" && "Saving…"}
      {status.kind === "conflict" && `Not saved: there is a newer revision. Choose below which text to keep. ${keptWhere(status.draftKept)}.`}
      {status.kind === "refused" && (
        <>
          Not saved: {status.message} {keptWhere(status.draftKept)}; change the text and it is sent again.{" "}
          <button type="button" className="secondary" onClick={onRetry}>
            Try again
          </button>
        </>
      )}
      {status.kind === "retrying" && (
        <>
          Not saved: {status.message} {keptWhere(status.draftKept)}; trying again in {Math.round(status.retryInMs / 1000)} s.{" "}
          <button type="button" className="secondary" onClick={onRetry}>
            Retry now
          </button>
        </>
      )}
    </div>
  );
}
