import { useQueryClient } from "@tanstack/react-query";
import type { Node } from "prosemirror-model";
import { useEffect, useState } from "react";
import { errorCode, errorMessage, httpStatus, isClientError, useTRPC, useTRPCClient } from "../trpc.ts";
import { Autosaver, type SaveOutcome, type SaveStatus } from "./autosave.ts";
import type { DraftStore } from "./drafts.ts";

/** Autosave statuses that differ only in ways the user cannot see are one status. */
function sameStatus(a: SaveStatus, b: SaveStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What one failed save came to: a conflict, an expired session, a refusal the server gave for
 * the request itself (too large, not allowed, malformed: retrying cannot help, so its message
 * is shown), or a failure of the server or the network (retried).
 */
function failedSave(error: unknown): SaveOutcome {
  const code = errorCode(error);
  if (code === "CONFLICT") return { kind: "conflict" };
  if (code === "UNAUTHORIZED") {
    return { kind: "unauthorized", message: "Your session has expired. Log in again in another tab; saving resumes by itself." };
  }
  if (isClientError(error)) {
    // A body refused before tRPC read it has no message of the server's to show.
    const tooLarge = httpStatus(error) === 413 && code === undefined;
    return { kind: "refused", message: tooLarge ? "The text is too large for the server to save." : errorMessage(error) };
  }
  return { kind: "failed", message: errorMessage(error) };
}

/**
 * An `Autosaver` for one example, wired to the API and to the page's life: the draft is written
 * when the page is hidden or left, pending edits are sent when the route changes or the tab is
 * hidden, and the browser asks before closing a tab with unsaved edits. Every save also becomes
 * the cached example's head, so coming back to the page starts from it. The saver is `null`
 * until the page is mounted (it is made and disposed by an effect, so that it lives exactly as
 * long as the page).
 */
export function useAutosave(options: { exampleId: string; baseRevisionId: string; revisionNumber: number; drafts: DraftStore }) {
  const { exampleId, baseRevisionId, revisionNumber, drafts } = options;
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<SaveStatus>({ kind: "saved", revisionNumber });
  const [saver, setSaver] = useState<Autosaver | null>(null);

  useEffect(() => {
    const current = new Autosaver({
      exampleId,
      baseRevisionId,
      drafts,
      onStatus: (next) => setStatus((shown) => (sameStatus(shown, next) ? shown : next)),
      save: async ({ baseRevisionId: base, doc }): Promise<SaveOutcome> => {
        try {
          // As JSON text: the server parses it on a worker thread instead of its event loop, and
          // answers with the revision's text only, since the document is the one sent.
          const json = JSON.stringify(doc);
          const revision = await client.examples.save.mutate({ exampleId, baseRevisionId: base, doc: json });
          queryClient.setQueryData(trpc.examples.get.queryKey({ exampleId }), (example) => example && { ...example, head: { ...revision, doc: json } });
          void queryClient.invalidateQueries({ queryKey: trpc.examples.revisions.queryKey({ exampleId }) });
          return { kind: "saved", revisionId: revision.id, revisionNumber: revision.number };
        } catch (error) {
          return failedSave(error);
        }
      },
    });
    setSaver(current);
    const keep = () => current.keepDraft();
    const onHidden = () => {
      if (document.visibilityState !== "hidden") return;
      current.keepDraft();
      void current.flush();
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      current.keepDraft();
      if (current.dirty) event.preventDefault();
    };
    window.addEventListener("pagehide", keep);
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      window.removeEventListener("pagehide", keep);
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("visibilitychange", onHidden);
      // Leaving the example page inside the app: send what is pending, once.
      current.dispose();
      void current.flush();
    };
    // One saver per example and store: later revisions are tracked by the saver itself, so a
    // newer `baseRevisionId` from the page must not replace it.
  }, [exampleId, drafts]);

  return { saver, status, change: (doc: Node) => saver?.change(doc) };
}
