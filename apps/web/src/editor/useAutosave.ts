import { useQueryClient } from "@tanstack/react-query";
import type { Node } from "prosemirror-model";
import { useEffect, useMemo, useState } from "react";
import { errorCode, errorMessage, useTRPC, useTRPCClient } from "../trpc.ts";
import { Autosaver, type SaveOutcome, type SaveStatus } from "./autosave.ts";
import type { DraftStore } from "./drafts.ts";

/** Autosave statuses that differ only in ways the user cannot see are one status. */
function sameStatus(a: SaveStatus, b: SaveStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * An `Autosaver` for one example, wired to the API and to the page's life: the draft is written
 * when the page is hidden or left, pending edits are sent when the route changes or the tab is
 * hidden, and the browser asks before closing a tab with unsaved edits.
 */
export function useAutosave(options: { exampleId: string; baseRevisionId: string; revisionNumber: number; drafts: DraftStore }) {
  const { exampleId, baseRevisionId, revisionNumber, drafts } = options;
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<SaveStatus>({ kind: "saved", revisionNumber });

  const saver = useMemo(
    () =>
      new Autosaver({
        exampleId,
        baseRevisionId,
        drafts,
        onStatus: (next) => setStatus((current) => (sameStatus(current, next) ? current : next)),
        save: async ({ baseRevisionId: base, doc }): Promise<SaveOutcome> => {
          try {
            const revision = await client.examples.save.mutate({ exampleId, baseRevisionId: base, doc: doc as Record<string, unknown> });
            void queryClient.invalidateQueries({ queryKey: trpc.examples.revisions.queryKey({ exampleId }) });
            return { kind: "saved", revisionId: revision.id, revisionNumber: revision.number };
          } catch (error) {
            const code = errorCode(error);
            if (code === "CONFLICT") return { kind: "conflict" };
            if (code === "UNAUTHORIZED") {
              return { kind: "unauthorized", message: "Your session has expired. Log in again in another tab; saving resumes by itself." };
            }
            return { kind: "failed", message: errorMessage(error) };
          }
        },
      }),
    // One saver per example: later revisions are tracked by the saver itself.
    [exampleId],
  );

  useEffect(() => {
    const keep = () => saver.keepDraft();
    const onHidden = () => {
      if (document.visibilityState !== "hidden") return;
      saver.keepDraft();
      void saver.flush();
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      saver.keepDraft();
      if (saver.dirty) event.preventDefault();
    };
    window.addEventListener("pagehide", keep);
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      window.removeEventListener("pagehide", keep);
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("visibilitychange", onHidden);
      // Leaving the example page inside the app: send what is pending.
      saver.dispose();
      void saver.flush();
    };
  }, [saver]);

  return { saver, status, change: (doc: Node) => saver.change(doc) };
}
