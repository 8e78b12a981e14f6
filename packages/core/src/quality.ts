/**
 * Reviewer accuracy and the surviving-defect estimate (SPEC §4): how often reviewers miss real
 * defects, and what share of defects a policy of k reviewers lets through. Pure functions over
 * plain records; the API gathers them from reviews and adjudications.
 *
 * Definitions:
 * - A *defect* is a flag upheld at adjudication with severity blocker or major, on the revision
 *   that was reviewed. The caller does that selection.
 * - A *reviewer* is anyone whose flags on a revision are recorded: a person, or a model grader
 *   by name (graders are measured the same way as people). A reviewer of the defect's revision
 *   *caught* it when one of their own flags there overlaps its range (shares a code point; an
 *   empty range counts as a point, touching its ends) with the same category; otherwise they
 *   *missed* it, also when they flagged nothing at all.
 * - *Miss rate* = missed / defects, per reviewer, per category and per reviewer and category,
 *   with a Wilson interval (95 % by default). The *pooled* rate p counts one trial per
 *   (defect, reviewer) pair. A rate over no defects is `null`: not enough data.
 * - Decision rules for a policy of k reviewers: under *any*, a defect survives only when all k
 *   miss it; under *majority*, when more than half of them (more than k/2) miss it.
 * - The *independent* estimate assumes every reviewer misses independently with probability
 *   p: p^k under any, the binomial tail P(X > k/2), X ~ Bin(k, p), under majority. It rests on
 *   every defect with at least one reviewer.
 * - The *observed* estimate rests on every defect that at least k reviewers reviewed: for each,
 *   the share of the k-reviewer subsets of its reviewers under which the rule lets it survive
 *   (a hypergeometric tail in the number who missed it; for exactly k reviewers, simply
 *   whether it survived), averaged over those defects. Correlated misses show here and not in
 *   the independent figure.
 *
 * Defects are known only where a reviewer flagged them or an audit found them, so most were
 * caught by at least one of their reviewers: the figures describe the defects that adjudicated
 * examples show, which is why SPEC §4 sends a random share of passed examples to audit.
 */
import type { LabelledRange } from "./agreement.ts";

/** A flag upheld at adjudication with severity blocker or major. */
export interface Defect extends LabelledRange {
  id: string;
  /** The revision reviewed and adjudicated (an example reviewed again after a return has a new one). */
  revisionId: string;
}

/** What one reviewer flagged on one revision they reviewed; no flags means they flagged nothing. */
export interface RevisionReview {
  /** A person's id or a model grader's name. */
  reviewer: string;
  revisionId: string;
  flags: readonly LabelledRange[];
}

/** The records the figures are computed from. */
export interface QualityInput {
  defects: readonly Defect[];
  reviews: readonly RevisionReview[];
}

/** Who of a defect's reviewers caught it and who missed it, each list sorted. */
export interface MissObservation {
  defect: Defect;
  caught: string[];
  missed: string[];
}

/** A confidence interval for a proportion, within [0, 1]. */
export interface ConfidenceInterval {
  low: number;
  high: number;
}

/** A miss rate with what it rests on. */
export interface MissRate {
  missed: number;
  /** The defects the rate is over (for the pooled rate, one per reviewer of each defect). */
  defects: number;
  /** missed / defects, or `null` (not enough data) over no defects. */
  rate: number | null;
  /** The Wilson interval of `rate`, or `null` with it. */
  interval: ConfidenceInterval | null;
}

/** Miss rates pooled and broken down, each list sorted by reviewer, then category. */
export interface MissRates {
  pooled: MissRate;
  byReviewer: (MissRate & { reviewer: string })[];
  byCategory: (MissRate & { category: string })[];
  byReviewerAndCategory: (MissRate & { reviewer: string; category: string })[];
}

/** When a defect gets through k reviewers: all miss it (`any`), or more than half (`majority`). */
export const DECISION_RULES = ["any", "majority"] as const;

/** One decision rule. */
export type DecisionRule = (typeof DECISION_RULES)[number];

/** The share of defects that get through k reviewers under one rule, estimated both ways. */
export interface SurvivalEstimate {
  k: number;
  rule: DecisionRule;
  /** From the pooled miss rate, assuming independence; `null` without data. */
  independent: number | null;
  /** The defects behind `independent`: those with at least one reviewer. */
  independentDefects: number;
  /** Averaged over the k-reviewer subsets of each defect's reviewers; `null` without data. */
  observed: number | null;
  /** The defects behind `observed`: those with at least k reviewers. */
  observedDefects: number;
}

/** Whether two ranges share a code point; an empty range is a point that may touch an end. */
function overlaps(a: LabelledRange, b: LabelledRange): boolean {
  const low = Math.max(a.start, b.start);
  const high = Math.min(a.end, b.end);
  return low < high || (low === high && (a.start === a.end || b.start === b.end));
}

/**
 * For every defect, which reviewers of its revision caught it and which missed it, in the
 * order of `input.defects`. A defect whose revision nobody reviewed gets two empty lists.
 */
export function missObservations(input: QualityInput): MissObservation[] {
  const flagsByRevision = new Map<string, Map<string, LabelledRange[]>>();
  for (const review of input.reviews) {
    let byReviewer = flagsByRevision.get(review.revisionId);
    if (!byReviewer) flagsByRevision.set(review.revisionId, (byReviewer = new Map()));
    // A reviewer recorded twice on one revision is one reviewer with all their flags.
    const flags = byReviewer.get(review.reviewer) ?? [];
    flags.push(...review.flags);
    byReviewer.set(review.reviewer, flags);
  }
  return input.defects.map((defect) => {
    const caught: string[] = [];
    const missed: string[] = [];
    for (const [reviewer, flags] of flagsByRevision.get(defect.revisionId) ?? []) {
      const found = flags.some((flag) => flag.category === defect.category && overlaps(flag, defect));
      (found ? caught : missed).push(reviewer);
    }
    return { defect, caught: caught.sort(), missed: missed.sort() };
  });
}

/**
 * The Wilson score interval for `successes` out of `trials` (z = 1.96: 95 %), or `null` for no
 * trials. Throws a `RangeError` for counts that cannot be.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): ConfidenceInterval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new RangeError(`wilsonInterval needs whole counts with 0 ≤ successes ≤ trials; got ${successes} of ${trials}.`);
  }
  if (!(z > 0)) throw new RangeError(`wilsonInterval needs a positive z; got ${z}.`);
  if (trials === 0) return null;
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  // Rounding can push an end a hair past 0 or 1.
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The miss rate for `missed` out of `defects`, with its 95 % Wilson interval; `null`s over none. */
export function missRate(missed: number, defects: number): MissRate {
  return { missed, defects, rate: defects === 0 ? null : missed / defects, interval: wilsonInterval(missed, defects) };
}

/** Miss rates pooled over all (defect, reviewer) pairs, per reviewer, per category and per both. */
export function missRates(observations: readonly MissObservation[]): MissRates {
  const counts = new Map<string, { reviewer: string; category: string; missed: number; defects: number }>();
  const count = (reviewer: string, category: string, missed: boolean) => {
    const key = `${reviewer}\u0000${category}`;
    let entry = counts.get(key);
    if (!entry) counts.set(key, (entry = { reviewer, category, missed: 0, defects: 0 }));
    entry.defects++;
    if (missed) entry.missed++;
  };
  for (const { defect, caught, missed } of observations) {
    for (const reviewer of caught) count(reviewer, defect.category, false);
    for (const reviewer of missed) count(reviewer, defect.category, true);
  }
  const cells = [...counts.values()].sort((a, b) => compare(a.reviewer, b.reviewer) || compare(a.category, b.category));
  return {
    pooled: total(cells),
    byReviewer: groups(cells, (cell) => cell.reviewer).map(([reviewer, rate]) => ({ reviewer, ...rate })),
    byCategory: groups(cells, (cell) => cell.category).map(([category, rate]) => ({ category, ...rate })),
    byReviewerAndCategory: cells.map(({ reviewer, category, missed, defects }) => ({ reviewer, category, ...missRate(missed, defects) })),
  };
}

/** The miss rate of some counts taken together. */
function total(counts: readonly { missed: number; defects: number }[]): MissRate {
  let missed = 0;
  let defects = 0;
  for (const count of counts) {
    missed += count.missed;
    defects += count.defects;
  }
  return missRate(missed, defects);
}

/** The miss rate of each group of counts sharing a name, sorted by name. */
function groups<T extends { missed: number; defects: number }>(counts: readonly T[], name: (count: T) => string): [string, MissRate][] {
  const totals = new Map<string, { missed: number; defects: number }>();
  for (const count of counts) {
    const sum = totals.get(name(count)) ?? { missed: 0, defects: 0 };
    sum.missed += count.missed;
    sum.defects += count.defects;
    totals.set(name(count), sum);
  }
  return [...totals].sort(([a], [b]) => compare(a, b)).map(([key, sum]) => [key, missRate(sum.missed, sum.defects)]);
}

/** Orders names the same way everywhere, whatever the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The fewest misses among k reviewers that let a defect survive under a rule. */
function survivingMisses(k: number, rule: DecisionRule): number {
  return rule === "any" ? k : Math.floor(k / 2) + 1;
}

/** n choose r, 0 outside 0 ≤ r ≤ n; exact for the small numbers of reviewers involved. */
function choose(n: number, r: number): number {
  if (r < 0 || r > n) return 0;
  let result = 1;
  for (let i = 1; i <= r; i++) result = (result * (n - r + i)) / i;
  return result;
}

/**
 * The share of defects that get through k reviewers who each miss independently with
 * probability `p`: p^k under `any`, P(X > k/2) with X ~ Bin(k, p) under `majority`.
 */
export function independentSurvival(p: number, k: number, rule: DecisionRule): number {
  let share = 0;
  for (let misses = survivingMisses(k, rule); misses <= k; misses++) {
    share += choose(k, misses) * p ** misses * (1 - p) ** (k - misses);
  }
  return share;
}

/**
 * The surviving-defect estimates for k = 1…`maxK` under both rules (ordered by k, then rule as
 * in `DECISION_RULES`), independent and observed, each with the number of defects behind it.
 */
export function survivalEstimates(observations: readonly MissObservation[], maxK = 5): SurvivalEstimate[] {
  if (!Number.isInteger(maxK) || maxK < 1) throw new RangeError(`survivalEstimates needs a whole maxK ≥ 1; got ${maxK}.`);
  const reviewed = observations
    .map(({ caught, missed }) => ({ reviewers: caught.length + missed.length, missed: missed.length }))
    .filter((defect) => defect.reviewers > 0);
  const pooled = missRates(observations).pooled.rate;
  const estimates: SurvivalEstimate[] = [];
  for (let k = 1; k <= maxK; k++) {
    const shared = reviewed.filter((defect) => defect.reviewers >= k);
    for (const rule of DECISION_RULES) {
      const least = survivingMisses(k, rule);
      // The share of k-subsets of a defect's n reviewers, m of whom missed it, that hold at
      // least `least` of the m: a hypergeometric tail.
      let total = 0;
      for (const { reviewers, missed } of shared) {
        let subsets = 0;
        for (let misses = least; misses <= k; misses++) subsets += choose(missed, misses) * choose(reviewers - missed, k - misses);
        total += subsets / choose(reviewers, k);
      }
      estimates.push({
        k,
        rule,
        independent: pooled === null ? null : independentSurvival(pooled, k, rule),
        independentDefects: reviewed.length,
        observed: shared.length === 0 ? null : total / shared.length,
        observedDefects: shared.length,
      });
    }
  }
  return estimates;
}
