/**
 * Unsaved work kept in the browser (local storage, one key per user and example) until the
 * server has it, so that a reload, a lost network or a closed tab loses nothing. Drafts belong
 * to the user who wrote them: someone else signing in on the same browser never gets them.
 */

/** The storage calls drafts need (the browser's `localStorage`, or a map in tests). */
export type DraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** An unsaved document and the revision it was based on. */
export interface Draft {
  /** The server revision the edits started from. */
  baseRevisionId: string;
  /** The document as ProseMirror JSON. */
  doc: unknown;
  /** When it was written (milliseconds since the epoch). */
  updatedAt: number;
}

/** One user's drafts, by example id (key `prealign:draft:<userId>:<exampleId>`). */
export class DraftStore {
  private readonly prefix: string;

  /**
   * @param storage where drafts live
   * @param userId whose drafts these are
   */
  constructor(
    private readonly storage: DraftStorage,
    userId: string,
  ) {
    this.prefix = `prealign:draft:${userId}:`;
  }

  /** The draft kept for an example, or null (also for an unreadable entry). */
  get(exampleId: string): Draft | null {
    const raw = this.storage.getItem(this.prefix + exampleId);
    if (!raw) return null;
    try {
      const draft = JSON.parse(raw) as Draft;
      return typeof draft.baseRevisionId === "string" && draft.doc ? draft : null;
    } catch {
      return null;
    }
  }

  /** Keeps a draft; false when the browser refused to store it (storage full or disabled). */
  put(exampleId: string, draft: Draft): boolean {
    try {
      this.storage.setItem(this.prefix + exampleId, JSON.stringify(draft));
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets the draft of an example (the server has it). */
  remove(exampleId: string): void {
    this.storage.removeItem(this.prefix + exampleId);
  }
}
