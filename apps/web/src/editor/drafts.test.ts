import { describe, expect, it } from "vitest";
import { DraftStore, type DraftStorage } from "./drafts.ts";

function memory(): DraftStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

describe("DraftStore", () => {
  it("keeps one draft per example", () => {
    const store = new DraftStore(memory(), "u1");
    store.put("a", { baseRevisionId: "r1", doc: { type: "doc" }, updatedAt: 1 });
    expect(store.get("a")).toEqual({ baseRevisionId: "r1", doc: { type: "doc" }, updatedAt: 1 });
    expect(store.get("b")).toBeNull();
    store.remove("a");
    expect(store.get("a")).toBeNull();
  });
  it("keeps each user's drafts apart, so the next person on this browser does not get them", () => {
    const storage = memory();
    const alice = new DraftStore(storage, "alice");
    alice.put("a", { baseRevisionId: "r1", doc: { type: "doc" }, updatedAt: 1 });
    expect([...storage.items.keys()]).toEqual(["prealign:draft:alice:a"]);
    const bob = new DraftStore(storage, "bob");
    expect(bob.get("a")).toBeNull();
    bob.remove("a");
    expect(alice.get("a")).toEqual({ baseRevisionId: "r1", doc: { type: "doc" }, updatedAt: 1 });
  });
  it("ignores unreadable entries and reports a full storage", () => {
    const storage = memory();
    storage.items.set("prealign:draft:u1:a", "{not json");
    const store = new DraftStore(storage, "u1");
    expect(store.get("a")).toBeNull();
    const full = new DraftStore({ ...storage, setItem: () => { throw new Error("QuotaExceededError"); } }, "u1");
    expect(full.put("a", { baseRevisionId: "r1", doc: {}, updatedAt: 1 })).toBe(false);
  });
});
