import { describe, expect, it } from "vitest";
import { docToText, schema, textToDoc } from "@prealign/core";
import { DraftStore, type DraftStorage } from "./drafts.ts";
import { startingPoint } from "./startingPoint.ts";

function memory(): DraftStorage {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

function docOf(text: string) {
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error(`invalid: ${text}`);
  return parsed.doc;
}

const head = { id: "r2", text: "Saved.", doc: null };

function withDraft(userId: string, text: string) {
  const storage = memory();
  new DraftStore(storage, "writer").put("ex1", { baseRevisionId: "r2", doc: docOf(text).toJSON(), updatedAt: 1 });
  return new DraftStore(storage, userId);
}

describe("startingPoint", () => {
  it("restores the writer's own kept work when they may edit", () => {
    const drafts = withDraft("writer", "Saved. More.");
    const start = startingPoint({ id: "ex1", canEdit: true, head }, schema, drafts);
    expect(docToText(start.doc)).toBe("Saved. More.");
    expect(start.restored).toContain("were restored");
    expect(start.unrestorable).toBeNull();
  });

  it("does not restore kept work for someone who cannot edit, but offers its text to copy", () => {
    const drafts = withDraft("writer", "Saved. More.");
    const start = startingPoint({ id: "ex1", canEdit: false, head }, schema, drafts);
    expect(docToText(start.doc)).toBe("Saved.");
    expect(start.baseRevisionId).toBe("r2");
    expect(start.restored).toBeNull();
    expect(start.unrestorable).toBe("Saved. More.");
    expect(drafts.get("ex1")).not.toBeNull();
  });

  it("does not give another user the work kept on this browser", () => {
    const drafts = withDraft("someone else", "Saved. More.");
    const start = startingPoint({ id: "ex1", canEdit: true, head }, schema, drafts);
    expect(docToText(start.doc)).toBe("Saved.");
    expect(start.restored).toBeNull();
    expect(start.unrestorable).toBeNull();
  });
});
