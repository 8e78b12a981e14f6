import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Autosaver, type SaveOutcome, type SaveStatus } from "./autosave.ts";
import { DraftStore } from "./drafts.ts";

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const doc = (text: string) => ({ toJSON: () => ({ text }) });

function setup(outcomes: SaveOutcome[]) {
  const storage = new MemoryStorage();
  const drafts = new DraftStore(storage, "u1");
  const requests: Array<{ baseRevisionId: string; doc: unknown }> = [];
  const statuses: SaveStatus[] = [];
  const saver = new Autosaver({
    exampleId: "ex1",
    baseRevisionId: "r1",
    drafts,
    onStatus: (status) => statuses.push(status),
    save: async (request) => {
      requests.push(request);
      return outcomes.shift() ?? { kind: "failed", message: "no more outcomes" };
    },
  });
  return { saver, drafts, requests, statuses };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("Autosaver", () => {
  it("saves once after typing stops, naming the base revision, then forgets the draft", async () => {
    const { saver, drafts, requests, statuses } = setup([{ kind: "saved", revisionId: "r2", revisionNumber: 2 }]);
    saver.change(doc("a"));
    await vi.advanceTimersByTimeAsync(500);
    saver.change(doc("ab"));
    await vi.advanceTimersByTimeAsync(500);
    expect(requests).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(requests).toEqual([{ baseRevisionId: "r1", doc: { text: "ab" } }]);
    expect(drafts.get("ex1")).toBeNull();
    expect(statuses.at(-1)).toEqual({ kind: "saved", revisionNumber: 2 });
    expect(saver.baseRevisionId).toBe("r2");
  });

  it("keeps the draft through a conflict and saves mine on top of the newer revision", async () => {
    const { saver, drafts, requests, statuses } = setup([{ kind: "conflict" }, { kind: "saved", revisionId: "r4", revisionNumber: 4 }]);
    saver.change(doc("mine"));
    await vi.advanceTimersByTimeAsync(800);
    expect(statuses.at(-1)).toEqual({ kind: "conflict", draftKept: true });
    expect(drafts.get("ex1")?.doc).toEqual({ text: "mine" });
    saver.change(doc("mine, more"));
    await vi.advanceTimersByTimeAsync(5000);
    expect(requests).toHaveLength(1);
    await saver.keepMine("r3");
    expect(requests[1]).toEqual({ baseRevisionId: "r3", doc: { text: "mine, more" } });
    expect(drafts.get("ex1")).toBeNull();
  });

  it("retries with growing delays while the network is down, keeping the draft", async () => {
    const { saver, drafts, requests, statuses } = setup([
      { kind: "failed", message: "offline" },
      { kind: "unauthorized", message: "session expired" },
      { kind: "saved", revisionId: "r2", revisionNumber: 2 },
    ]);
    saver.change(doc("x"));
    await vi.advanceTimersByTimeAsync(800);
    expect(statuses.at(-1)).toMatchObject({ kind: "retrying", retryInMs: 1000, unauthorized: false });
    expect(drafts.get("ex1")?.doc).toEqual({ text: "x" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses.at(-1)).toMatchObject({ kind: "retrying", retryInMs: 2000, unauthorized: true });
    await vi.advanceTimersByTimeAsync(1999);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(3);
    expect(drafts.get("ex1")).toBeNull();
  });

  it("saves edits made during a save in a second save based on the first", async () => {
    let release: (outcome: SaveOutcome) => void = () => {};
    const storage = new MemoryStorage();
    const requests: Array<{ baseRevisionId: string; doc: unknown }> = [];
    const saver = new Autosaver({
      exampleId: "ex1",
      baseRevisionId: "r1",
      drafts: new DraftStore(storage, "u1"),
      onStatus: () => {},
      save: (request) => {
        requests.push(request);
        return new Promise((resolve) => (release = resolve));
      },
    });
    saver.change(doc("one"));
    await vi.advanceTimersByTimeAsync(800);
    saver.change(doc("two"));
    release({ kind: "saved", revisionId: "r2", revisionNumber: 2 });
    await vi.advanceTimersByTimeAsync(800);
    expect(requests).toEqual([
      { baseRevisionId: "r1", doc: { text: "one" } },
      { baseRevisionId: "r2", doc: { text: "two" } },
    ]);
    expect(saver.dirty).toBe(true);
    release({ kind: "saved", revisionId: "r3", revisionNumber: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.dirty).toBe(false);
  });

  it("says so when the browser would not keep the draft", async () => {
    const statuses: SaveStatus[] = [];
    const saver = new Autosaver({
      exampleId: "ex1",
      baseRevisionId: "r1",
      drafts: new DraftStore({ getItem: () => null, removeItem: () => {}, setItem: () => { throw new Error("QuotaExceededError"); } }, "u1"),
      onStatus: (status) => statuses.push(status),
      save: async () => ({ kind: "failed", message: "offline" }),
    });
    saver.change(doc("huge"));
    await vi.advanceTimersByTimeAsync(800);
    expect(statuses.at(-1)).toMatchObject({ kind: "retrying", draftKept: false });
    saver.dispose();
  });

  it("does not retry a save the server refused for what it is, and keeps the draft", async () => {
    const { saver, drafts, requests, statuses } = setup([
      { kind: "refused", message: "The text is larger than 10 MB." },
      { kind: "saved", revisionId: "r2", revisionNumber: 2 },
    ]);
    saver.change(doc("far too long"));
    await vi.advanceTimersByTimeAsync(800);
    expect(statuses.at(-1)).toEqual({ kind: "refused", message: "The text is larger than 10 MB.", draftKept: true });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(requests).toHaveLength(1);
    expect(drafts.get("ex1")?.doc).toEqual({ text: "far too long" });
    // The next edit is a new document, so it is sent.
    saver.change(doc("shorter"));
    await vi.advanceTimersByTimeAsync(800);
    expect(requests).toHaveLength(2);
    expect(statuses.at(-1)).toEqual({ kind: "saved", revisionNumber: 2 });
  });

  it("retries a network failure", async () => {
    const { saver, requests, statuses } = setup([{ kind: "failed", message: "offline" }]);
    saver.change(doc("x"));
    await vi.advanceTimersByTimeAsync(800);
    expect(statuses.at(-1)).toMatchObject({ kind: "retrying", retryInMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests).toHaveLength(2);
    saver.dispose();
  });

  it("stops for good once disposed: a failed last save is not retried, and the draft stays", async () => {
    let release: (outcome: SaveOutcome) => void = () => {};
    const storage = new MemoryStorage();
    const drafts = new DraftStore(storage, "u1");
    const requests: unknown[] = [];
    const saver = new Autosaver({
      exampleId: "ex1",
      baseRevisionId: "r1",
      drafts,
      onStatus: () => {},
      save: (request) => {
        requests.push(request);
        return new Promise((resolve) => (release = resolve));
      },
    });
    saver.change(doc("left behind"));
    await vi.advanceTimersByTimeAsync(800);
    expect(requests).toHaveLength(1);
    // The page goes away while the save is in flight, and then the save fails.
    saver.dispose();
    release({ kind: "failed", message: "offline" });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(requests).toHaveLength(1);
    expect(drafts.get("ex1")?.doc).toEqual({ text: "left behind" });
  });

  it("flush after dispose still sends what is pending, once", async () => {
    const { saver, requests } = setup([{ kind: "failed", message: "offline" }]);
    saver.change(doc("pending"));
    saver.dispose();
    await saver.flush();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(requests).toHaveLength(1);
  });

  it("flush saves at once and keepDraft writes without a request", async () => {
    const { saver, drafts, requests } = setup([{ kind: "saved", revisionId: "r2", revisionNumber: 2 }]);
    saver.change(doc("y"));
    saver.keepDraft();
    expect(drafts.get("ex1")?.doc).toEqual({ text: "y" });
    expect(requests).toHaveLength(0);
    await saver.flush();
    expect(requests).toHaveLength(1);
  });
});
