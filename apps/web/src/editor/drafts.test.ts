import { describe, expect, it } from "vitest";
import { DraftStore, type DraftStorage } from "./drafts.ts";

function memory(): DraftStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

describe("DraftStore", () => {
  it("keeps one draft per example", () => {
    const store = new DraftStore(memory());
    store.put("a", { baseRevisionId: "r1", doc: { type: "doc" }, updatedAt: 1 });
    expect(store.get("a")).toEqual({ baseRevisionId: "r1", doc: { type: "doc" }, updatedAt: 1 });
    expect(store.get("b")).toBeNull();
    store.remove("a");
    expect(store.get("a")).toBeNull();
  });
  it("ignores unreadable entries and reports a full storage", () => {
    const storage = memory();
    storage.items.set("prealign:draft:a", "{not json");
    const store = new DraftStore(storage);
    expect(store.get("a")).toBeNull();
    const full = new DraftStore({ ...storage, setItem: () => { throw new Error("QuotaExceededError"); } });
    expect(full.put("a", { baseRevisionId: "r1", doc: {}, updatedAt: 1 })).toBe(false);
  });
});
