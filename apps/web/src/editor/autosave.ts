/**
 * Autosave: edits are saved a moment after typing stops, each save naming the revision it was
 * based on. Before every save the document is written to the draft store, and it stays there
 * until the server has it. A stale base is a conflict the user resolves; an expired session or
 * a server or network failure keeps the draft and retries with growing delays; a save the server
 * refuses for what it is (too large, not allowed, malformed) keeps the draft and is not retried,
 * since sending it again cannot change the answer.
 */
import type { Draft, DraftStore } from "./drafts.ts";

/** Anything that serialises to the document JSON the server stores (a ProseMirror node). */
export interface Serializable {
  toJSON(): unknown;
}

/** What one save attempt came to, as the caller's transport reports it. */
export type SaveOutcome =
  | { kind: "saved"; revisionId: string; revisionNumber: number }
  | { kind: "conflict" }
  | { kind: "unauthorized"; message: string }
  /** The server refused this save for what it is (a 4xx other than the session or a conflict). */
  | { kind: "refused"; message: string }
  /** The server or the network failed; the same save may go through later. */
  | { kind: "failed"; message: string };

/** What the user is shown about saving. */
export type SaveStatus =
  | { kind: "saved"; revisionNumber: number | null }
  | { kind: "unsaved" }
  | { kind: "saving" }
  | { kind: "conflict"; draftKept: boolean }
  | { kind: "refused"; message: string; draftKept: boolean }
  | { kind: "retrying"; message: string; retryInMs: number; unauthorized: boolean; draftKept: boolean };

/** Options of an `Autosaver`. */
export interface AutosaveOptions {
  exampleId: string;
  /** The revision the editor's document started from. */
  baseRevisionId: string;
  /** Sends one save; must not throw (failures are outcomes). */
  save: (request: { baseRevisionId: string; doc: unknown }) => Promise<SaveOutcome>;
  drafts: DraftStore;
  /** Called whenever the status changes. */
  onStatus: (status: SaveStatus) => void;
  /** Quiet time after the last change before saving (default 800 ms). */
  delayMs?: number;
  /** First retry delay after a failure, doubled each time up to `maxRetryMs` (default 1 s). */
  retryMs?: number;
  /** Longest retry delay (default 30 s). */
  maxRetryMs?: number;
  /** The clock (for tests). */
  now?: () => number;
}

/** Saves one example's document. */
export class Autosaver {
  private base: string;
  private doc: Serializable | null = null;
  /** Bumped by every change, so a save that finishes knows whether newer edits are waiting. */
  private version = 0;
  private savedVersion = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private conflicted = false;
  /** Whether the browser took the last draft (it refuses when its storage is full). */
  private draftKept = true;
  /** Set by `dispose`: the page is gone, so nothing is scheduled any more (only `flush` sends). */
  private disposed = false;

  constructor(private readonly options: AutosaveOptions) {
    this.base = options.baseRevisionId;
  }

  /** The revision the next save will name as its base. */
  get baseRevisionId(): string {
    return this.base;
  }

  /** True while there are edits the server does not have. */
  get dirty(): boolean {
    return this.version !== this.savedVersion;
  }

  /** Records a new document; it is kept and saved after the quiet time. */
  change(doc: Serializable): void {
    this.doc = doc;
    this.version++;
    if (this.conflicted) {
      this.writeDraft();
      return;
    }
    this.setStatus({ kind: "unsaved" });
    this.schedule(this.options.delayMs ?? 800);
  }

  /** Writes the current edits to the draft store at once (for `pagehide`); no request is sent. */
  keepDraft(): void {
    if (this.dirty) this.writeDraft();
  }

  /** Saves pending edits now (leaving the page, switching examples); resolves when done. */
  async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.dirty && !this.conflicted) await this.saveNow();
  }

  /** Resolves a conflict by saving the user's document on top of the newer revision `headId`. */
  keepMine(headId: string): Promise<void> {
    this.base = headId;
    this.conflicted = false;
    return this.saveNow();
  }

  /** Resolves a conflict (or starts over) from revision `headId`: the edits here are dropped. */
  reset(headId: string, revisionNumber: number | null): void {
    this.cancelTimer();
    this.base = headId;
    this.conflicted = false;
    this.doc = null;
    this.savedVersion = this.version;
    this.failures = 0;
    this.options.drafts.remove(this.options.exampleId);
    this.setStatus({ kind: "saved", revisionNumber });
  }

  /**
   * Stops timers for good (the page is going away; the draft stays). A save still in flight
   * settles, but a failure is not retried and later edits are not scheduled: a saver left
   * behind would otherwise keep sending an old document and compete with the next page's saver.
   * `flush` still sends what is pending, once.
   */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.keepDraft();
  }

  private setStatus(status: SaveStatus): void {
    this.options.onStatus(status);
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    if (this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.saveNow();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private writeDraft(): Draft | null {
    if (!this.doc) return null;
    const draft: Draft = { baseRevisionId: this.base, doc: this.doc.toJSON(), updatedAt: (this.options.now ?? Date.now)() };
    this.draftKept = this.options.drafts.put(this.options.exampleId, draft);
    return draft;
  }

  private async saveNow(): Promise<void> {
    this.cancelTimer();
    if (this.inFlight) {
      // One save at a time: the edits made meanwhile go in the next one.
      await this.inFlight;
      if (this.dirty && !this.conflicted && this.timer === null) return this.saveNow();
      return;
    }
    const draft = this.writeDraft();
    if (!draft) return;
    const version = this.version;
    this.setStatus({ kind: "saving" });
    this.inFlight = this.options.save({ baseRevisionId: draft.baseRevisionId, doc: draft.doc }).then((outcome) => this.settle(outcome, version));
    try {
      await this.inFlight;
    } finally {
      this.inFlight = null;
    }
  }

  private settle(outcome: SaveOutcome, version: number): void {
    if (outcome.kind === "saved") {
      this.failures = 0;
      this.base = outcome.revisionId;
      this.savedVersion = version;
      if (this.dirty) {
        // Newer edits arrived while saving: keep them (now based on the new revision) and save again.
        this.writeDraft();
        this.setStatus({ kind: "unsaved" });
        this.schedule(this.options.delayMs ?? 800);
      } else {
        this.options.drafts.remove(this.options.exampleId);
        this.setStatus({ kind: "saved", revisionNumber: outcome.revisionNumber });
      }
      return;
    }
    if (outcome.kind === "conflict") {
      this.conflicted = true;
      this.setStatus({ kind: "conflict", draftKept: this.draftKept });
      return;
    }
    if (outcome.kind === "refused") {
      // Sending the same document again gets the same answer; the next edit tries again.
      this.setStatus({ kind: "refused", message: outcome.message, draftKept: this.draftKept });
      return;
    }
    const retryInMs = Math.min((this.options.retryMs ?? 1000) * 2 ** this.failures, this.options.maxRetryMs ?? 30_000);
    this.failures++;
    this.setStatus({ kind: "retrying", message: outcome.message, retryInMs, unauthorized: outcome.kind === "unauthorized", draftKept: this.draftKept });
    this.schedule(retryInMs);
  }
}
