/**
 * How the workflow's words are shown to people, and the shapes of reviews and flags as the API
 * sends them (SPEC §4). Dates may arrive as strings (no transformer on the wire).
 */
import type { FlagCategory, FlagSeverity, Stage, Verdict } from "@prealign/core";

/** A comment in a flag's thread. */
export interface FlagComment {
  id: string;
  author: { id: string; name: string };
  body: string;
  createdAt: string | Date;
}

/** A flag as the API shows it: a code-point range of the reviewed revision's tagged text. */
export interface FlagView {
  id: string;
  start: number;
  end: number;
  category: FlagCategory | string;
  severity: FlagSeverity | string;
  decision: "upheld" | "dismissed" | string | null;
  comments: readonly FlagComment[];
}

/** One reviewer's review of a round. */
export interface ReviewView {
  id: string;
  reviewer: { id: string; name: string };
  verdict: Verdict | string | null;
  submittedAt: string | Date | null;
  flags: readonly FlagView[];
}

/** "uncommented_bad_behaviour" → "uncommented bad behaviour". */
export function words(name: string): string {
  return name.replace(/_/g, " ");
}

/** A verdict as a person reads it. */
export const VERDICT_LABELS: Record<Verdict, string> = { accept: "Accept", changes_needed: "Changes needed", reject: "Reject" };

/** The key that picks each verdict on the review page (as in Prodigy: one key per answer). */
export const VERDICT_KEYS: Record<Verdict, string> = { accept: "a", changes_needed: "c", reject: "r" };

/** A verdict's label, or the raw value for one this version does not know. */
export function verdictLabel(verdict: string | null): string {
  if (verdict === null) return "no verdict yet";
  return (VERDICT_LABELS as Record<string, string>)[verdict] ?? words(verdict);
}

/** A stage as a person reads it. */
export function stageLabel(stage: Stage | string): string {
  return words(stage);
}

/** "3 Dec 2026, 14:05" in the reader's locale. */
export function when(date: string | Date): string {
  return new Date(date).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The flagged text of `text` (code points), shortened for a list. */
export function excerpt(text: string, start: number, end: number, length = 80): string {
  const points = [...text].slice(start, end).join("").replace(/\s+/g, " ").trim();
  if (!points) return "(empty)";
  return points.length > length ? points.slice(0, length - 1) + "…" : points;
}
