/**
 * What the editor benchmark page (`benchPage.ts`) exposes as `window.editorBench`, shared with
 * `bench/editor.ts`, which drives it from Chromium. Kept free of imports so that the bench
 * project can type-check against it without the web app's bundler-only modules.
 */

/** The benchmark's handle on the page. */
export interface EditorBench {
  /** Opens `json` (a document of the editor's schema) and resolves with ms until it is painted. */
  open(kind: "studio" | "plain", json: string): Promise<number>;
  /**
   * Puts the cursor in paragraph `index`: in its human text, inside its first AI span, or at
   * its very end.
   */
  placeCursor(index: number, where: "human" | "ai" | "end"): void;
  /** Forgets the samples and records one per keydown from now on. */
  startMeasuring(): void;
  /** Keystroke-to-paint latencies recorded so far (ms). */
  samples(): number[];
}

declare global {
  interface Window {
    editorBench: EditorBench;
  }
}
