/**
 * The dashboard's colours: one per stage and one per kind of work, the same in every chart,
 * each dark enough to stand out from white (3:1 or more) and told apart by legend and order
 * as well as by hue.
 */
import type { Stage } from "@prealign/core";

/** Each stage's colour. */
export const STAGE_COLORS: Record<Stage, string> = {
  draft: "#6b7480",
  commentary: "#b27813",
  review: "#2f6db3",
  adjudication: "#8a3fa0",
  accepted: "#216e39",
  rejected: "#a3261b",
};

/** Colours of series that are not stages, in order of use. */
export const SERIES_COLORS = ["#2f6db3", "#b27813", "#216e39", "#8a3fa0"] as const;

/** The colour of axes, grid lines and error bars. */
export const INK = "#1b1f24";
export const GRID = "#d7dce2";
