/**
 * Agreement between reviewers (SPEC §4, §6): Krippendorff's alpha on verdicts, Cohen's kappa
 * per pair of reviewers and span-level F1 between their flags. Pure functions over plain
 * values; where a figure is undefined they return `null` rather than NaN, so that a dashboard
 * says "not enough data" instead of drawing a number nobody has.
 *
 * Alpha follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), nominal
 * metric: every pairable unit (one with at least two values) adds each ordered pair of its
 * values to a coincidence matrix with weight 1/(m − 1), m its number of values, so that each
 * unit contributes m entries; alpha = 1 − D_o/D_e from that matrix.
 *
 * Alpha and kappa each come twice: over the items one by one (SPEC §6), and over counts
 * (`krippendorffAlphaFromCounts`, `cohenKappaFromCounts`), which the per-item forms call, so
 * that the dashboard computes a year's figures from per-day sums in the very same arithmetic.
 */

/** A range of text with a category, such as a reviewer's flag: code points, `end` exclusive. */
export interface LabelledRange {
  start: number;
  end: number;
  category: string;
}

/** Precision, recall and their harmonic mean, each between 0 and 1. */
export interface SpanScores {
  precision: number;
  recall: number;
  f1: number;
}

/** How many times each value occurs. */
function tally<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * Units that got the same values the same number of times, such as reviewed revisions with two
 * accepts and a reject: how many times each value was given to one of them, and how many such
 * units there are. Nominal alpha depends on a unit only through these counts, so a million
 * units summed by profile give the same alpha as the units one by one.
 */
export interface UnitProfile {
  /** How many times each value was given to each of these units. */
  counts: ReadonlyMap<string, number>;
  /** How many units have this profile. */
  units: number;
}

/** Krippendorff's alpha with what it rests on. */
export interface AlphaTally {
  /** Nominal alpha, or `null` where it is undefined (see {@link krippendorffAlpha}). */
  alpha: number | null;
  /** The pairable units (those with at least two values). */
  units: number;
  /** The values given to the pairable units. */
  values: number;
}

/**
 * Krippendorff's alpha for nominal data from units summed by profile: {@link krippendorffAlpha}
 * with each profile standing for `units` units. Profiles with fewer than two values are left out.
 */
export function krippendorffAlphaFromCounts(profiles: Iterable<UnitProfile>): AlphaTally {
  // With o_cc the coincidences of a value with itself and n_c the number of pairable values
  // equal to c (n in all), nominal alpha is
  //   ((n − 1)·Σ o_cc − Σ n_c(n_c − 1)) / (n(n − 1) − Σ n_c(n_c − 1)),
  // whose denominator is an integer: 0 exactly when one value is all there is.
  let pairable = 0;
  let values = 0;
  let agreeing = 0;
  const totals = new Map<string, number>();
  for (const { counts, units } of profiles) {
    let perUnit = 0;
    for (const count of counts.values()) perUnit += count;
    if (perUnit < 2) continue;
    pairable += units;
    values += perUnit * units;
    for (const [value, count] of counts) {
      agreeing += units * ((count * (count - 1)) / (perUnit - 1));
      totals.set(value, (totals.get(value) ?? 0) + units * count);
    }
  }
  let n = 0;
  let chancePairs = 0;
  for (const count of totals.values()) {
    n += count;
    chancePairs += count * (count - 1);
  }
  const denominator = n * (n - 1) - chancePairs;
  return { alpha: denominator === 0 ? null : ((n - 1) * agreeing - chancePairs) / denominator, units: pairable, values };
}

/**
 * Krippendorff's alpha for nominal data. `units[i][c]` is the value coder `c` gave unit `i`,
 * or `null` where `c` did not rate `i`; rows need not be equally long. Units with fewer than
 * two values are left out. Returns `null` when alpha is undefined: no pairable unit, or a
 * single value throughout the pairable units (expected disagreement 0).
 */
export function krippendorffAlpha(units: readonly (readonly (string | null)[])[]): number | null {
  const profiles = units.map((unit) => ({ counts: tally(unit.filter((value): value is string => value !== null)), units: 1 }));
  return krippendorffAlphaFromCounts(profiles).alpha;
}

/** How many items the first coder gave the value `first` and the second coder `second`. */
export interface ContingencyCell {
  first: string;
  second: string;
  items: number;
}

/** Cohen's kappa with what it rests on. */
export interface KappaTally {
  /** Kappa, or `null` where it is undefined (see {@link cohenKappa}). */
  kappa: number | null;
  /** The items both coders rated. */
  items: number;
  /** The items they gave the same value. */
  agreements: number;
}

/**
 * Cohen's kappa between two coders from their contingency counts: {@link cohenKappa} with each
 * cell standing for `items` items. A pair of values may come in several cells; they add up.
 */
export function cohenKappaFromCounts(cells: Iterable<ContingencyCell>): KappaTally {
  let n = 0;
  let agreements = 0;
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  for (const { first, second, items } of cells) {
    n += items;
    if (first === second) agreements += items;
    countsA.set(first, (countsA.get(first) ?? 0) + items);
    countsB.set(second, (countsB.get(second) ?? 0) + items);
  }
  // In counts: kappa = (n·agreements − Σ a_c·b_c) / (n² − Σ a_c·b_c), exact in integers, so
  // chance agreement of 1 (Σ a_c·b_c = n²) is recognised without rounding.
  let chance = 0;
  for (const [value, count] of countsA) chance += count * (countsB.get(value) ?? 0);
  const denominator = n * n - chance;
  return { kappa: denominator === 0 ? null : (n * agreements - chance) / denominator, items: n, agreements };
}

/**
 * Cohen's kappa between two coders: `a[i]` and `b[i]` are the values they gave item `i`.
 * Returns `null` when kappa is undefined: no items, or both coders gave every item one and the
 * same value (chance agreement 1). Throws a `RangeError` when the arrays differ in length,
 * since the items then cannot be paired.
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) {
    throw new RangeError(`cohenKappa needs one value per item from each coder; got ${a.length} and ${b.length} values.`);
  }
  return cohenKappaFromCounts(a.map((first, i) => ({ first, second: b[i]!, items: 1 }))).kappa;
}

/**
 * Span-level agreement of `b` with the reference `a`: a match is a pair of ranges equal in
 * start, end and category, each range matched at most once (so duplicates match only as often
 * as both sides have them). Precision = matches / |b|, recall = matches / |a|. A ratio over no
 * ranges is 1 (nothing claimed was wrong, nothing to find was missed), so two empty arrays
 * score 1 throughout and exactly one empty array gives f1 = 0 (with precision 1 and recall 0
 * when `b` is empty, precision 0 and recall 1 when `a` is).
 */
export function spanF1(a: readonly LabelledRange[], b: readonly LabelledRange[]): SpanScores {
  const key = (range: LabelledRange) => `${range.start}\u0000${range.end}\u0000${range.category}`;
  const reference = tally(a.map(key));
  let matches = 0;
  for (const [range, count] of tally(b.map(key))) matches += Math.min(count, reference.get(range) ?? 0);
  const precision = b.length === 0 ? 1 : matches / b.length;
  const recall = a.length === 0 ? 1 : matches / a.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
