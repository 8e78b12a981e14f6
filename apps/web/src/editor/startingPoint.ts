/**
 * Where editing an example starts: the newest revision, or the unsaved work this browser kept
 * for it. Kept work is restored only for someone who may edit the example; anyone else gets the
 * newest revision and the kept text beside it, to copy.
 */
import type { Node, Schema } from "prosemirror-model";
import { docToText } from "@prealign/core";
import type { DraftStore } from "./drafts.ts";
import { draftDoc, revisionDoc, type RevisionContent } from "./revisionDoc.ts";

/** What the starting point needs to know of the example. */
export interface ExampleStart {
  id: string;
  /** Whether the user may save a new revision now. */
  canEdit: boolean;
  head: RevisionContent & { id: string };
}

/** The document the editor opens with. */
export interface StartingPoint {
  doc: Node;
  /** The revision the first save names as its base. */
  baseRevisionId: string;
  /** The message about restored work, or null when nothing was restored. */
  restored: string | null;
  /** Kept text that was not restored because the user cannot edit (tagged text), or null. */
  unrestorable: string | null;
}

/** The starting point of `example`; a draft that matches the newest revision is forgotten. Throws as `revisionDoc` does. */
export function startingPoint(example: ExampleStart, schema: Schema, drafts: DraftStore): StartingPoint {
  const head = example.head;
  const headDoc = revisionDoc(head, schema);
  const draft = drafts.get(example.id);
  const kept = draft ? draftDoc(draft.doc, schema) : null;
  if (!draft || !kept || kept.eq(headDoc)) {
    if (draft) drafts.remove(example.id);
    return { doc: headDoc, baseRevisionId: head.id, restored: null, unrestorable: null };
  }
  if (!example.canEdit) {
    // Restoring would put text in a read-only editor that can never be saved.
    return { doc: headDoc, baseRevisionId: head.id, restored: null, unrestorable: docToText(kept) };
  }
  const restored =
    draft.baseRevisionId === head.id
      ? "Unsaved changes kept in this browser were restored; they are being saved now."
      : "Unsaved changes kept in this browser were restored. They were made on an older revision, so compare them with the newest one below.";
  return { doc: kept, baseRevisionId: draft.baseRevisionId, restored, unrestorable: null };
}
